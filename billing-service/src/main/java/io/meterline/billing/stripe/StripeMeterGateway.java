package io.meterline.billing.stripe;

/** Sends Billing Meter events. The only way reporting reaches Stripe. */
public interface StripeMeterGateway {

    /** One meter event: whole-number {@code value} for {@code customerId}, at {@code timestamp} (epoch seconds). */
    record MeterEvent(String eventName, String customerId, long value, String identifier, long timestamp) {
    }

    /** How Stripe took a meter event. */
    enum Outcome {
        ACCEPTED,
        /** Stripe already had an event with this identifier: it is counted, so this counts as delivered. */
        DUPLICATE
    }

    /** False without an API key: callers run in dry-run. */
    boolean live();

    /** Where calls go (for health and run records). */
    String apiBase();

    /** Sends one event, retrying what is retryable; throws when it finally failed. */
    Outcome send(MeterEvent event) throws StripeCallException;

    /** HTTP calls made to Stripe so far (retries included). */
    long calls();
}
