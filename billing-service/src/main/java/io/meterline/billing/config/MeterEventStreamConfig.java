package io.meterline.billing.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * {@code billing.stripe.meter-event-stream.*}: Stripe's v2 meter event streams, used when
 * {@code billing.stripe.meter-events=v2} (docs/decisions/0141).
 */
public interface MeterEventStreamConfig {

    /** Where the stream is posted: Stripe's meter events base (the local stand-in in tests and the demo). */
    @WithDefault("https://meter-events.stripe.com")
    String base();

    /** Events per stream request; Stripe takes at most 100. */
    @WithDefault("100")
    int batchSize();

    /** A session is renewed this long before its {@code expires_at} (Stripe's tokens last 15 minutes). */
    @WithDefault("PT1M")
    Duration renewBefore();

    /**
     * How long an accepted delta waits for an error report before it counts as delivered. Stripe validates stream
     * events asynchronously and reports errors in a thin event afterwards; a report that arrives later still reaches
     * Stripe's totals through reconciliation.
     */
    @WithDefault("PT1H")
    Duration errorWindow();

    /** Stream requests per second across this instance (each up to 100 events); 0 disables the limit. */
    @WithDefault("100")
    double rateLimit();

    /**
     * Fault injection for crash tests only: halt the JVM (as kill -9 would) right after the named step of a stream
     * batch: {@code journal-written} (requests journaled, none sent), {@code stream-answered} (requests answered,
     * ledger not yet written), {@code ledger-written} (ledger written). Never set in production.
     */
    java.util.Optional<String> haltAfter();
}
