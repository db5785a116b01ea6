package io.meterline.ingest.domain;

/** Every request-level error of the ingest API, with the HTTP status it is answered with (problem+json). */
public enum ErrorCode {
    MALFORMED_JSON(400, "Malformed JSON"),
    INVALID_BODY(400, "Invalid request body"),
    EMPTY_BATCH(400, "Empty batch"),
    INVALID_EVENT(422, "Invalid usage event"),
    BATCH_TOO_LARGE(413, "Batch too large"),
    BODY_TOO_LARGE(413, "Request body too large"),
    UNAUTHENTICATED(401, "Authentication required"),
    FORBIDDEN(403, "Forbidden"),
    KAFKA_UNAVAILABLE(503, "Event store unavailable"),
    INTERNAL(500, "Internal error"),
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported Media Type");

    private final int status;
    private final String title;

    ErrorCode(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The stable code in problem bodies, e.g. {@code batch_too_large}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
