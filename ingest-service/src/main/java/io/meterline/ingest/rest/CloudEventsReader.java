package io.meterline.ingest.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterline.ingest.domain.ErrorCode;
import io.meterline.ingest.domain.IngestException;
import io.meterline.ingest.service.IngestService;
import io.meterline.model.cloudevents.UsageCloudEvents;
import jakarta.ws.rs.core.HttpHeaders;

import java.util.ArrayList;
import java.util.List;

/**
 * The CloudEvents HTTP binding of {@code POST /v1/events}: structured mode ({@value UsageCloudEvents#STRUCTURED}),
 * batched structured mode ({@value UsageCloudEvents#BATCH}) and binary mode ({@code ce-*} headers, JSON data as
 * the body). Turns a request into usage-event JSON for {@link IngestService#ingestCloudEvents}.
 */
final class CloudEventsReader {

    /** Binary mode is a JSON request that carries this header. */
    static final String BINARY_MARKER = "ce-specversion";
    private static final String HEADER_PREFIX = "ce-";

    private CloudEventsReader() {
    }

    static boolean isBinary(HttpHeaders headers) {
        return headers.getHeaderString(BINARY_MARKER) != null;
    }

    static List<UsageCloudEvents.Mapped> structured(byte[] body) {
        return List.of(UsageCloudEvents.fromStructured(IngestService.parse(body)));
    }

    static List<UsageCloudEvents.Mapped> batch(byte[] body) {
        JsonNode root = IngestService.parse(body);
        if (!root.isArray()) {
            throw new IngestException(ErrorCode.INVALID_BODY,
                    "a body of type " + UsageCloudEvents.BATCH + " must be a JSON array of CloudEvents");
        }
        List<UsageCloudEvents.Mapped> events = new ArrayList<>(root.size());
        root.forEach(event -> events.add(UsageCloudEvents.fromStructured(event)));
        return events;
    }

    static List<UsageCloudEvents.Mapped> binary(HttpHeaders headers, byte[] body) {
        // an event without data has no body; data, when present, must be JSON (checked by the mapping)
        JsonNode data = body == null || body.length == 0 ? null : IngestService.parse(body);
        return List.of(UsageCloudEvents.fromBinary(name -> headers.getHeaderString(HEADER_PREFIX + name),
                headers.getHeaderString(HttpHeaders.CONTENT_TYPE), data));
    }
}
