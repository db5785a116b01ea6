package io.meterline.webhook.domain;

/** Every error webhook-service answers with, and its HTTP status. */
public enum ErrorCode {
    INVALID_SIGNATURE(400, "Invalid signature"),
    STALE_SIGNATURE(400, "Stale signature"),
    INVALID_EVENT(400, "Invalid event"),
    INVALID_REQUEST(400, "Invalid request"),
    EVENT_NOT_FOUND(404, "Event not found"),
    EVENT_BEING_PROCESSED(409, "Event is being processed"),
    STRIPE_NOT_CONFIGURED(409, "Stripe API key not configured"),
    STRIPE_UNAVAILABLE(502, "Stripe unavailable"),
    STORE_UNAVAILABLE(503, "Event store unavailable");

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

    /** Stable code in problem bodies, e.g. {@code invalid-signature}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
