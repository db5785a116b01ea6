package io.meterline.billing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Prepaid settings for tests: a priced meter, quick sweeps and cache refreshes, no scheduled reporting. */
public class BalanceTestResource implements QuarkusTestResourceLifecycleManager {

    /** The meter BalanceIT prices for prepaid customers (0.5 minor units per minute). */
    public static final String PRICED_METER = "prepaid-minutes";

    @Override
    public Map<String, String> start() {
        return Map.of(
                "billing.balance.unit-prices." + PRICED_METER, "0.5",
                "billing.balance.sweep-interval", "PT1S",
                "billing.balance.cache-refresh", "PT0.2S",
                "billing.reporting.cron", "off",
                "billing.stripe.rate-limit", "0",
                "billing.stripe.backoff-base", "PT0.01S",
                "billing.stripe.backoff-max", "PT0.05S");
    }

    @Override
    public void stop() {
    }
}
