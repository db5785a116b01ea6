package io.meterline.model.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

import java.util.Set;

/**
 * The meter filter every service installs (each produces it once as a CDI bean): every meter carries
 * {@code service="<name>"}, and the named timers publish histograms, so dashboards compute percentiles across pods.
 */
public final class ServiceMeters {

    private ServiceMeters() {
    }

    public static MeterFilter filter(String service, Set<String> histograms) {
        Tags serviceTag = Tags.of(Tag.of("service", service));
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.replaceTags(Tags.concat(serviceTag, id.getTagsAsIterable()));
            }

            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return histograms.contains(id.getName())
                        ? DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config)
                        : config;
            }
        };
    }
}
