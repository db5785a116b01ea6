package io.meterline.billing.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code billing.stripe.*}: how billing reaches Stripe. Without {@link #apiKey()} reporting runs in dry-run:
 * it computes and records what it would send, and health says so.
 */
public interface StripeConfig {

    /** Stripe's API base; the local stand-in in tests and the demo (e.g. {@code http://127.0.0.1:12111}). */
    @WithDefault("https://api.stripe.com")
    String apiBase();

    /**
     * How meter events reach Stripe: {@code v1} (one call per event, answered at once) or {@code v2} (meter event
     * streams: 100 events a call, validated later; {@link #meterEventStream()}).
     */
    @WithDefault("v1")
    MeterEventsTransport meterEvents();

    /** Stripe's v2 meter event streams ({@code billing.stripe.meter-event-stream.*}). */
    MeterEventStreamConfig meterEventStream();

    /** The meter event transports. */
    enum MeterEventsTransport {
        v1, v2
    }

    /** Secret key ({@code sk_test_…}/{@code rk_…}); a secret, so no default: it comes from the environment. */
    Optional<String> apiKey();

    /**
     * Client-side limit on Stripe calls per second across this instance; 0 disables it. Stripe allows about 25
     * requests per second in test mode (100 in live mode), so 20 is safe with a test key.
     */
    @WithDefault("20")
    double rateLimit();

    /** stripe-java's own retries (409, 5xx, {@code Stripe-Should-Retry: true}, connect timeouts), per attempt of ours. */
    @WithDefault("1")
    int networkRetries();

    /** Our attempts per call (each may include stripe-java's retries) before a retryable error counts as failed. */
    @WithDefault("6")
    int maxAttempts();

    /** First backoff of our retries; doubles per attempt, with full jitter, capped by {@link #backoffMax()}. */
    @WithDefault("PT0.2S")
    Duration backoffBase();

    @WithDefault("PT10S")
    Duration backoffMax();

    @WithDefault("PT5S")
    Duration connectTimeout();

    @WithDefault("PT30S")
    Duration readTimeout();
}
