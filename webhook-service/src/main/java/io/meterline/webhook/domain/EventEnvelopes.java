package io.meterline.webhook.domain;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

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
