package io.meterline.webhook.domain;

import io.meterline.model.api.ProblemCode;

/** Every error webhook-service answers with, and its HTTP status. */
public enum ErrorCode implements ProblemCode {
    INVALID_SIGNATURE(400, "Invalid signature"),
    STALE_SIGNATURE(400, "Stale signature"),
    INVALID_EVENT(400, "Invalid event"),
    INVALID_REQUEST(400, "Invalid request"),
    EVENT_NOT_FOUND(404, "Event not found"),
    EVENT_BEING_PROCESSED(409, "Event is being processed"),
    STRIPE_NOT_CONFIGURED(409, "Stripe API key not configured"),
    STRIPE_UNAVAILABLE(502, "Stripe unavailable"),
    STORE_UNAVAILABLE(503, "Event store unavailable"),
    EVENT_TOO_LARGE(413, "Event too large");

    ErrorCode(int status, String title) {
        ProblemCode.define(this, status, title);
    }
}
