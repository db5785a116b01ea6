package io.meterline.billing.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;

/** {@code billing.reconciliation.*}: comparing Meterline, the report ledger and Stripe; usage-source runs. */
public interface ReconciliationConfig {

    /** Quartz-style cron of the scheduled runs (Stripe and every usage source); {@code off} disables it. */
    @WithDefault("0 0 3 * * ?")
    String cron();

    /** How far back the scheduled Stripe run looks (capped by Stripe's 35-day window). */
    @WithDefault("P35D")
    Duration scheduledRange();

    /** How long a run's lease lasts without renewal. */
    @WithDefault("PT2M")
    Duration lease();

    /** Event-summary calls in flight at once (the Stripe rate limit still applies). */
    @WithDefault("8")
    int concurrency();

    /** Delivery reliability ({@code received / expected}) below which a source run raises an alert. */
    @WithDefault("0.95")
    double reliabilityThreshold();

    /** Invalid provider records kept with their reasons in a source run (all are counted). */
    @WithDefault("100")
    int maxRecordedInvalid();
}
