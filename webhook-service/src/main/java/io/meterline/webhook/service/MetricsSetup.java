package io.meterline.webhook.service;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Set;

/** Every meter carries {@code service="webhook-service"}; request timers publish histograms for percentiles across pods. */
@Singleton
public class MetricsSetup {

    private static final Set<String> HISTOGRAMS = Set.of("http.server.requests", "webhook.events.processing");

    @Produces
    @Singleton
    MeterFilter serviceTag() {
        return MeterFilter.commonTags(List.of(Tag.of("service", "webhook-service")));
    }

    @Produces
    @Singleton
    MeterFilter histograms() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return HISTOGRAMS.contains(id.getName())
                        ? DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config)
                        : config;
            }
        };
    }
}
