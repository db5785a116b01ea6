package io.meterline.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON form of {@link UsageEvent}, shared by producers and consumers. Strict on the way in: content after
 * the value and duplicate keys are errors (never "last one wins" or "ignore the rest"), and numbers with a
 * fraction or exponent are kept as exact decimals so that range checks see what the producer wrote, not a double
 * that already overflowed to Infinity or underflowed to 0.
 */
public final class UsageEventJson {

    private static final ObjectMapper MAPPER = strict(new ObjectMapper())
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private UsageEventJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The strict reading rules, for any other mapper that reads producer input. */
    public static ObjectMapper strict(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNumberLength(1000).maxNestingDepth(200).build());
        return mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    public static byte[] toBytes(UsageEvent event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("usage event cannot be serialised", e);
        }
    }

    /** Parses bytes into a JSON tree; throws {@link InvalidJsonException} when they are not JSON. */
    public static JsonNode parseTree(byte[] bytes) {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node == null) {
                throw new InvalidJsonException("empty payload");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidJsonException(e.getOriginalMessage());
        } catch (NumberFormatException e) {
            // a number Jackson cannot hold (e.g. an exponent with thousands of digits) is bad input, not a fault
            throw new InvalidJsonException("a number cannot be read: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Not JSON at all. */
    public static final class InvalidJsonException extends RuntimeException {
        public InvalidJsonException(String message) {
            super(message);
        }
    }
}
