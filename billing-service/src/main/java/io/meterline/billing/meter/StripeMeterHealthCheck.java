package io.meterline.billing.meter;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.Map;
import java.util.TreeMap;

/**
 * Meters checked against Stripe: how many match, and each mismatched one with its problem and fix. Stays UP (the
 * rest of billing works; only those meters are not reported) with {@code status: DEGRADED} while any mismatches.
 */
@Readiness
@ApplicationScoped
public class StripeMeterHealthCheck implements HealthCheck {

    private final MeterCheckService checks;

    public StripeMeterHealthCheck(MeterCheckService checks) {
        this.checks = checks;
    }

    @Override
    public HealthCheckResponse call() {
        Map<String, MeterCheck> results = new TreeMap<>(checks.results());
        long mismatched = results.values().stream().filter(MeterCheck::mismatched).count();
        long ok = results.values().stream().filter(c -> MeterCheck.OK.equals(c.status())).count();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("stripe meters").up()
                .withData("status", mismatched > 0 ? "DEGRADED" : "UP")
                .withData("matching", ok).withData("mismatched", mismatched)
                .withData("unchecked", results.size() - ok - mismatched);
        results.forEach((key, check) -> {
            if (check.mismatched()) {
                builder.withData("meter." + key, "stripe_meter_mismatch: " + check.explanation());
            }
        });
        return builder.build();
    }
}
