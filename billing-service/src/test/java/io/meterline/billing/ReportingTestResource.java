package io.meterline.billing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Reporting settings for tests: no schedule (runs are triggered), no rate limit, short backoffs. */
public class ReportingTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "billing.reporting.cron", "off",
                "billing.stripe.rate-limit", "0",
                "billing.stripe.backoff-base", "PT0.01S",
                "billing.stripe.backoff-max", "PT0.05S",
                "billing.stripe.max-attempts", "4",
                "billing.stripe.network-retries", "1",
                "billing.reporting.concurrency", "4",
                "billing.reporting.batch-size", "50");
    }

    @Override
    public void stop() {
    }
}
