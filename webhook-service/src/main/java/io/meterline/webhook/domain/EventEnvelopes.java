package io.meterline.webhook.domain;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Instant;
import java.util.Set;

/** Reads the envelope of a Stripe event from its JSON: v1 snapshot events and v2 thin events alike. */
public final class EventEnvelopes {

    private EventEnvelopes() {
    }

    /** Why an envelope is refused: an event is stored under its id, so "" or an object's text would collapse events. */
    public static final String NO_ID_OR_TYPE = "event id and type must be non-blank strings";

    public static ReceivedEvent parse(JsonNode root) {
        String id = nonBlankText(root, "id");
        String type = nonBlankText(root, "type");
        if (id == null || type == null) {
            throw new WebhookException(ErrorCode.INVALID_EVENT, NO_ID_OR_TYPE);
        }
        return new ReceivedEvent(id, type, createdSeconds(root.path("created")), root.path("livemode").asBoolean(false),
                StripeObjects.text(root, "api_version"), objectId(root));
    }

    private static final Set<String> ENVELOPE = Set.of("id", "type", "created", "livemode", "api_version");

    /**
     * {@link #parse(JsonNode)} on the envelope alone, read by streaming from {@code parser} (positioned before the
     * root): the fields the envelope needs are kept, every other value is skipped without building it — the event's
     * object (a subscription with its items and prices) is most of the body and only its {@code id} is needed here.
     * Returns null when the root is not a JSON object. Malformed JSON anywhere fails as it does for a whole-tree read.
     */
    public static ReceivedEvent parse(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (ENVELOPE.contains(field)) {
                root.set(field, parser.readValueAsTree());
            } else if (field.equals("data") || field.equals("related_object")) {
                root.set(field, value == JsonToken.START_OBJECT ? onlyFields(parser, field.equals("data") ? "object" : "id")
                        : parser.readValueAsTree());
            } else {
                parser.skipChildren();
            }
        }
        if (parser.currentToken() != JsonToken.END_OBJECT) {
            return null;
        }
        return parse(root);
    }

    /** The object at the parser with only {@code wanted} kept; {@code data.object} keeps only its {@code id}. */
    private static ObjectNode onlyFields(JsonParser parser, String wanted) throws IOException {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (!field.equals(wanted)) {
                parser.skipChildren();
            } else if (wanted.equals("object") && value == JsonToken.START_OBJECT) {
                node.set(field, onlyFields(parser, "id"));
            } else {
                node.set(field, parser.readValueAsTree());
            }
        }
        return node;
    }

    private static String nonBlankText(JsonNode root, String field) {
        JsonNode value = root == null ? null : root.get(field);
        return value != null && value.isTextual() && !value.textValue().isBlank() ? value.textValue() : null;
    }

    /** v1 events carry epoch seconds; v2 events an ISO-8601 instant. */
    public static long createdSeconds(JsonNode created) {
        if (created.isNumber()) {
            return created.asLong();
        }
        if (created.isTextual()) {
            String text = created.asText();
            return text.chars().allMatch(Character::isDigit) ? Long.parseLong(text) : Instant.parse(text).getEpochSecond();
        }
        return 0;
    }

    private static String objectId(JsonNode root) {
        String id = StripeObjects.text(root.path("data").path("object"), "id");
        return id != null ? id : StripeObjects.text(root.path("related_object"), "id");
    }
}
