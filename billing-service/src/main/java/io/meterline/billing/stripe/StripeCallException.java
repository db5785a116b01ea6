package io.meterline.billing.stripe;

import java.time.Duration;

/**
 * A Stripe call that did not succeed, translated from stripe-java's exceptions into what callers decide on:
 * retry it (rate limits, 5xx, network, conflicts, or Stripe said {@code Stripe-Should-Retry: true}), or record it
 * as failed with Stripe's message (other 4xx).
 */
public class StripeCallException extends Exception {

    /** What the caller should do. */
    public enum Kind {
        RETRYABLE,
        PERMANENT,
        /** A meter event with this identifier exists: Stripe already counted it. */
        DUPLICATE
    }

    private final Kind kind;
    private final Integer status;
    private final String code;
    private final Duration retryAfter;

    public StripeCallException(Kind kind, Integer status, String code, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    public boolean retryable() {
        return kind == Kind.RETRYABLE;
    }

    /** HTTP status, or null when no answer came (network). */
    public Integer status() {
        return status;
    }

    /** Stripe's error code ({@code rate_limit}, {@code resource_missing}…), or null. */
    public String code() {
        return code;
    }

    /** Stripe's {@code Retry-After}, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
