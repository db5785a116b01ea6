package io.meterline.model;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
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

    /**
     * Reads trees with duplicate keys refused as the tree is built ({@code ObjectNode.replace} returning a previous
     * value) rather than by the parser's name set per object: the same keys refused at any depth, for ≈ a fifth of
     * the parse (decision 0157). {@link #parseTree} words the refusal as the parser did.
     */
    private static final ObjectReader TREES = MAPPER.copy()
            .disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .reader();
    private static final String TREE_DUPLICATE = "Duplicate field '";
    private static final String TREE_DUPLICATE_END = "' for `ObjectNode`";

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

    /**
     * The event as the record value of the usage topic. Written field by field, byte for byte what
     * {@code mapper().writeValueAsBytes(event)} writes (the order of the record's components, {@code organization}
     * left out when null, {@code time} as ISO_INSTANT), without the per-call bean serialiser and date formatter
     * lookups that were a fifth of the ingest path's CPU.
     */
    public static byte[] toBytes(UsageEvent event) {
        return toBytes(event, null);
    }

    /**
     * As {@link #toBytes(UsageEvent)}, with the event's data already serialised ({@code JsonNode.toString()} of
     * {@code event.data()}, which the validator computes for its size check), or null to serialise it here.
     */
    public static byte[] toBytes(UsageEvent event, String dataJson) {
        byte[] plain = dataJson == null ? null : PlainRecord.bytes(event, dataJson);
        return plain != null ? plain : generated(event, dataJson);
    }

    /** Through Jackson's generator: any text, escaped as the mapper escapes it. */
    private static byte[] generated(UsageEvent event, String dataJson) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator json = MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("id", event.id());
            json.writeStringField("source", event.source());
            json.writeStringField("type", event.type());
            json.writeStringField("subject", event.subject());
            json.writeStringField("time", UtcTimestamps.format(event.time()));
            json.writeFieldName("data");
            if (dataJson != null && !hasSurrogates(dataJson)) {
                json.writeRawValue(dataJson);
            } else {
                MAPPER.writeTree(json, event.data());
            }
            if (event.organization() != null) {
                json.writeStringField("organization", event.organization());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("usage event cannot be serialised", e);
        }
        return out.toByteArray();
    }

    /**
     * Characters outside the Basic Multilingual Plane: Jackson's UTF-8 writer escapes them ({@code \uD83D\uDE00}),
     * the text writer behind {@code JsonNode.toString()} does not, so such data is serialised again.
     */
    static boolean hasSurrogates(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** Parses bytes into a JSON tree; throws {@link InvalidJsonException} when they are not JSON. */
    public static JsonNode parseTree(byte[] bytes) {
        try {
            JsonNode node = TREES.readTree(bytes);
            if (node == null) {
                throw new InvalidJsonException("empty payload");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidJsonException(problem(e.getOriginalMessage()));
        } catch (NumberFormatException e) {
            // a number Jackson cannot hold (e.g. an exponent with thousands of digits) is bad input, not a fault
            throw new InvalidJsonException("a number cannot be read: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tree's duplicate-key message as the parser words it: {@code Duplicate field 'id'}. */
    private static String problem(String message) {
        if (message != null && message.startsWith(TREE_DUPLICATE)) {
            int end = message.lastIndexOf(TREE_DUPLICATE_END);
            if (end >= TREE_DUPLICATE.length()) {
                return message.substring(0, end + 1);
            }
        }
        return message;
    }

    /** Not JSON at all. */
    public static final class InvalidJsonException extends RuntimeException {
        public InvalidJsonException(String message) {
            super(message);
        }
    }
}
