package io.meterline.billing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Reporting settings for tests: no schedule (runs are triggered), no rate limit, short backoffs, a short lease. */
public class ReportingTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.ofEntries(
                Map.entry("billing.reporting.cron", "off"),
                Map.entry("billing.stripe.rate-limit", "0"),
                Map.entry("billing.stripe.backoff-base", "PT0.01S"),
                Map.entry("billing.stripe.backoff-max", "PT0.05S"),
                Map.entry("billing.stripe.max-attempts", "4"),
                Map.entry("billing.stripe.network-retries", "1"),
                Map.entry("billing.reporting.concurrency", "4"),
                Map.entry("billing.reporting.batch-size", "50"),
                // a short lease renewed often, so takeover and renewal tests see them within seconds
                Map.entry("billing.reporting.lease", "PT2S"),
                Map.entry("billing.reporting.lease-renewal", "PT0.5S"));
    }

    @Override
    public void stop() {
    }
}
