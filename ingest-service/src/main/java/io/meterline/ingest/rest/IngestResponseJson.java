package io.meterline.ingest.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterline.ingest.domain.EventOutcome;
import io.meterline.model.PlainJson;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The 202 body, byte for byte what {@code mapper.writeValueAsBytes(IngestResponse.toApi(outcomes))} writes, without the
 * bean serialiser and its per-field lookups for every one of up to 1,000 results (decision 0157). A result whose
 * {@code id} and {@code source} are {@link PlainJson#plain plain} and that has no errors is written here; any other
 * result (violations, text that needs escaping) is written by the mapper and copied in.
 */
final class IngestResponseJson {

    private static final byte[] ACCEPTED = bytesOf("{\"accepted\":");
    private static final byte[] DUPLICATES = bytesOf(",\"duplicates\":");
    private static final byte[] REJECTED = bytesOf(",\"rejected\":");
    private static final byte[] RESULTS = bytesOf(",\"results\":[");
    private static final byte[] INDEX = bytesOf("{\"index\":");
    private static final byte[] ID = bytesOf(",\"id\":\"");
    private static final byte[] SOURCE = bytesOf(",\"source\":\"");
    private static final byte[] STATUS = bytesOf(",\"status\":\"");

    private byte[] out;
    private int size;

    private IngestResponseJson(int capacity) {
        out = new byte[capacity];
    }

    static byte[] bytes(List<EventOutcome> outcomes, ObjectMapper mapper) throws JsonProcessingException {
        int accepted = 0;
        int duplicates = 0;
        int rejected = 0;
        int capacity = 80;
        for (EventOutcome outcome : outcomes) {
            switch (outcome.status()) {
                case ACCEPTED -> accepted++;
                case DUPLICATE_IN_BATCH -> duplicates++;
                case REJECTED -> rejected++;
            }
            capacity += 64 + length(outcome.id()) + length(outcome.source());
        }
        IngestResponseJson json = new IngestResponseJson(capacity);
        json.put(ACCEPTED).number(accepted).put(DUPLICATES).number(duplicates).put(REJECTED).number(rejected)
                .put(RESULTS);
        for (int i = 0; i < outcomes.size(); i++) {
            if (i > 0) {
                json.put((byte) ',');
            }
            EventOutcome outcome = outcomes.get(i);
            int start = json.size;
            if (!outcome.errors().isEmpty() || !json.result(outcome)) {
                json.size = start;
                json.put(mapper.writeValueAsBytes(IngestResponse.EventResult.of(outcome)));
            }
        }
        json.put((byte) ']').put((byte) '}');
        return json.out.length == json.size ? json.out : Arrays.copyOf(json.out, json.size);
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    /** A result without errors; false when its id or source is not plain. */
    private boolean result(EventOutcome outcome) {
        put(INDEX).number(outcome.index());
        if (!text(ID, outcome.id()) || !text(SOURCE, outcome.source())) {
            return false;
        }
        text(STATUS, outcome.status().code());
        put((byte) '}');
        return true;
    }

    /** A string member, left out when null or empty ({@code NON_EMPTY}, as on {@code EventResult}); false if not plain. */
    private boolean text(byte[] name, String value) {
        if (value == null || value.isEmpty()) {
            return true;
        }
        put(name);
        room(value.length() + 1);
        int end = PlainJson.copy(out, size, value);
        if (end < 0) {
            return false;
        }
        size = end;
        out[size++] = '"';
        return true;
    }

    private IngestResponseJson number(int value) {
        return put(bytesOf(Integer.toString(value)));
    }

    private IngestResponseJson put(byte[] bytes) {
        room(bytes.length);
        System.arraycopy(bytes, 0, out, size, bytes.length);
        size += bytes.length;
        return this;
    }

    private IngestResponseJson put(byte b) {
        room(1);
        out[size++] = b;
        return this;
    }

    private void room(int more) {
        if (size + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, size + more));
        }
    }

    private static byte[] bytesOf(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
