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

    /** Prepaid balances, usage prices for prepaid customers, entitlements and auto-recharge. */
    BalanceConfig balance();
}
