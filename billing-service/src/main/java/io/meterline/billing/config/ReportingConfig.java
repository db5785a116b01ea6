package io.meterline.billing.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;

/** {@code billing.reporting.*}: the scheduled job that reports window deltas to Stripe Billing Meters. */
public interface ReportingConfig {

    /**
     * Quartz-style cron of the scheduled run (seconds first); {@code off} disables the schedule. Five past every hour,
     * so the hour that just ended is complete. {@code ReportJob} reads it as {@code ${billing.reporting.cron}}.
     */
    @WithDefault("0 5 * * * ?")
    String cron();

    /** How long a run's lease lasts without renewal; a crashed reporter blocks others at most this long. */
    @WithDefault("PT2M")
    Duration lease();

    /** Deltas per batch: one bulk ledger write before and after each batch of concurrent Stripe calls. */
    @WithDefault("500")
    int batchSize();

    /** Stripe calls in flight at once (the rate limit still applies). */
    @WithDefault("16")
    int concurrency();

    /** Windows older than this are never reported: Stripe refuses meter events more than 35 days old. */
    @WithDefault("P35D")
    Duration stripeWindow();

    /** Errors kept in a run record (all are counted). */
    @WithDefault("100")
    int maxRecordedErrors();
}
