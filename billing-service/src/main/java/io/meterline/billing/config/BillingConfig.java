package io.meterline.billing.config;

import io.smallrye.config.ConfigMapping;

import java.util.Map;

/**
 * All of billing-service's own settings, under {@code billing.*}. Groups live in their own interfaces
 * (one per concern) and are added here as methods.
 */
@ConfigMapping(prefix = "billing")
public interface BillingConfig {

    /** The aggregation pipeline: topics, lookback, emission cadence. */
    AggregationConfig aggregation();

    /**
     * Meters declared in configuration, by key ({@code billing.meters.<key>.*}). They are seeded into MongoDB at
     * start-up when absent; afterwards the admin API is the way to change them.
     */
    Map<String, MeterConfig> meters();

    /** Stripe API access (api base, key, rate limit, retries). */
    StripeConfig stripe();

    /** The Stripe reporting job (schedule, lease, batching). */
    ReportingConfig reporting();

    /** Closing completed periods and the catch-up job. */
    PeriodsConfig periods();

    /** Publishing closed periods: Kafka topic and outgoing webhooks. */
    NotificationsConfig notifications();
    /** The ops console at /ops (io.meterline.billing.ops). */
    io.meterline.billing.ops.OpsConfig ops();
    /** Checks of meters against their Stripe billing meters. */
    MeterCheckConfig meterChecks();

    /** Prepaid balances, usage prices for prepaid customers, entitlements and auto-recharge. */
    BalanceConfig balance();

    /** Reconciliation against Stripe and usage providers (schedule, lease, reliability threshold). */
    ReconciliationConfig reconciliation();

    /** Usage providers that can list what they recorded ({@code billing.sources.<name>.*}). */
    Map<String, SourceConfig> sources();

    /** Token verification (the verified-token cache). */
    AuthConfig auth();
}
