package io.meterline.webhook.service;

import io.meterline.model.metrics.ServiceMeters;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Set;

/** Every meter carries {@code service="webhook-service"}; request timers publish histograms for percentiles across pods. */
@Singleton
public class MetricsSetup {

    private static final Set<String> HISTOGRAMS = Set.of("http.server.requests", "webhook.events.processing");

    @Produces
    @Singleton
    MeterFilter serviceMeters() {
        return ServiceMeters.filter("webhook-service", HISTOGRAMS);
    }
}
