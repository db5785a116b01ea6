package io.meterline.billing.cloudevents;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterline.model.UsageEventJson;
import io.meterline.model.Violation;
import io.meterline.model.cloudevents.UsageCloudEvents;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads a record of the usage topic in any of the accepted forms into usage-event JSON (still to be validated):
 * Meterline's plain JSON value, the CloudEvents Kafka binary mode (attributes in {@code ce_*} headers, JSON data as
 * the value) or structured mode ({@code content-type: application/cloudevents+json}). Whatever else is
 * {@link Invalid} with a reason, to be dead-lettered.
 */
public final class UsageRecordDecoder {

    /** Reason: the value is not JSON. */
    public static final String NOT_JSON = "not_json";
    /** Kafka header of the CloudEvents content type (the binding's name, lower case). */
    public static final String CONTENT_TYPE = "content-type";
    private static final String ATTRIBUTE_PREFIX = "ce_";
    private static final String CLOUDEVENTS_MEDIA_PREFIX = "application/cloudevents";

    private UsageRecordDecoder() {
    }

    /** What a record decodes to. */
    public sealed interface Decoded permits Event, Invalid {
    }

    /** Usage-event JSON, to be validated like any event. */
    public record Event(JsonNode node) implements Decoded {
    }

    /** Not usable: the dead-letter reason and a detail for humans. */
    public record Invalid(String reason, String detail) implements Decoded {
    }

    public static Decoded decode(Headers headers, byte[] value) {
        try {
            if (headers.lastHeader(ATTRIBUTE_PREFIX + "specversion") != null) {
                String dataContentType = text(headers.lastHeader(CONTENT_TYPE));
                boolean json = UsageCloudEvents.isJson(dataContentType);
                // non-JSON data is named as such by the mapping, not parsed into a misleading not_json
                JsonNode data = value == null || value.length == 0 ? null
                        : json ? UsageEventJson.parseTree(value) : UsageEventJson.mapper().nullNode();
                return mapped(UsageCloudEvents.fromBinary(name -> text(headers.lastHeader(ATTRIBUTE_PREFIX + name)),
                        dataContentType, data));
            }
            String contentType = text(headers.lastHeader(CONTENT_TYPE));
            if (contentType != null && contentType.trim().toLowerCase(Locale.ROOT).startsWith(CLOUDEVENTS_MEDIA_PREFIX)) {
                if (!UsageCloudEvents.isStructured(contentType)) {
                    return new Invalid(UsageCloudEvents.UNSUPPORTED_CONTENT_TYPE, "content-type '" + contentType
                            + "' is not accepted; use " + UsageCloudEvents.STRUCTURED + " or binary mode");
                }
                return mapped(UsageCloudEvents.fromStructured(parse(value)));
            }
            return new Event(parse(value));
        } catch (UsageEventJson.InvalidJsonException e) {
            return new Invalid(NOT_JSON, "the record value is not JSON: " + e.getMessage());
        }
    }

    private static Decoded mapped(UsageCloudEvents.Mapped mapped) {
        if (mapped.valid()) {
            return new Event(mapped.event());
        }
        Violation violation = mapped.violations().get(0);
        return new Invalid(violation.reason(), violation.field() + ": " + violation.message());
    }

    private static JsonNode parse(byte[] value) {
        if (value == null) {
            throw new UsageEventJson.InvalidJsonException("null value (tombstone)");
        }
        return UsageEventJson.parseTree(value);
    }

    private static String text(Header header) {
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
