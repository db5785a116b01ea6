package io.meterline.webhook.stripe;

/** A Stripe call that failed; processing treats it as retryable (Stripe down, rate limited, misconfigured key). */
public class StripeGatewayException extends RuntimeException {
    private final Integer status;

    public StripeGatewayException(String message, Integer status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** HTTP status Stripe answered, null when there was no answer. */
    public Integer status() {
        return status;
    }
}
