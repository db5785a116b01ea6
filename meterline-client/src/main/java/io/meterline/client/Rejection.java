package io.meterline.client;

import java.util.List;

/**
 * An event Meterline refused: it is reported once to the client's rejection callback and never retried (sending it
 * again would be refused again).
 *
 * @param id     the event's id
 * @param source the event's source
 * @param event  the event as it was sent (JSON)
 * @param errors the fields at fault and why
 */
public record Rejection(String id, String source, String event, List<FieldError> errors) {

    /** A field at fault, a stable reason code (e.g. {@code time_in_future}) and a message. */
    public record FieldError(String field, String reason, String message) {
    }

    /** The first error's field, the one to look at first. */
    public String field() {
        return errors.isEmpty() ? "" : errors.get(0).field();
    }

    /** The first error's reason. */
    public String reason() {
        return errors.isEmpty() ? "" : errors.get(0).reason();
    }
}
