package io.meterline.billing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Period and notification settings for tests: runs are triggered, retries are quick, one customer bills in Paris. */
public class PeriodsTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "billing.periods.catch-up-every", "off",
                "billing.periods.grace", "PT1H",
                "billing.periods.customer-zones.cust-paris", "Europe/Paris",
                "billing.notifications.dispatch-every", "1s",
                "billing.notifications.backoff-base", "PT0.05S",
                "billing.notifications.backoff-max", "PT0.2S",
                "billing.notifications.max-attempts", "3",
                "billing.reporting.cron", "off");
    }

    @Override
    public void stop() {
    }
}
