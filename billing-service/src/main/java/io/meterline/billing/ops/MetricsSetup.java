package io.meterline.billing.ops;

import io.meterline.billing.config.BillingConfig;
import io.meterline.model.metrics.ServiceMeters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Set;

/**
 * Every meter carries {@code service="billing-service"}; request and Stripe call timers publish histograms, so
 * dashboards compute percentiles across pods. Also the dry-run gauge the "dry-run in production" alert reads.
 */
@Singleton
public class MetricsSetup {

    static final String SERVICE = "billing-service";
    private static final Set<String> HISTOGRAMS = Set.of("http.server.requests", "meterline.stripe.calls",
            "meterline.report.run.duration");

    @Produces
    @Singleton
    MeterFilter serviceMeters() {
        return ServiceMeters.filter(SERVICE, HISTOGRAMS);
    }

    /** 1 while billing reports without a Stripe key (dry-run), 0 when it talks to Stripe. */
    @Startup
    @Singleton
    static class DryRunGauge {
        DryRunGauge(MeterRegistry registry, BillingConfig config) {
            boolean dryRun = config.stripe().apiKey().filter(k -> !k.isBlank()).isEmpty();
            Gauge.builder("meterline.billing.dry_run", () -> dryRun ? 1 : 0)
                    .description("1 when reporting runs without a Stripe key (nothing is sent to Stripe)")
                    .register(registry);
        }
    }
}
