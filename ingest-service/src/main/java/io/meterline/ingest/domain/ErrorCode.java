package io.meterline.ingest.domain;

import io.meterline.model.api.ProblemCode;

/** Every request-level error of the ingest API, with the HTTP status it is answered with (problem+json). */
public enum ErrorCode implements ProblemCode {
    MALFORMED_JSON(400, "Malformed JSON"),
    INVALID_BODY(400, "Invalid request body"),
    EMPTY_BATCH(400, "Empty batch"),
    INVALID_EVENT(422, "Invalid usage event"),
    BATCH_TOO_LARGE(413, "Batch too large"),
    BODY_TOO_LARGE(413, "Request body too large"),
    KAFKA_UNAVAILABLE(503, "Event store unavailable");

    ErrorCode(int status, String title) {
        ProblemCode.define(this, status, title);
    }
}
