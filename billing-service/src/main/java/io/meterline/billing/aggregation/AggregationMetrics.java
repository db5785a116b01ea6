package io.meterline.billing.aggregation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Business counters of the aggregation pipeline. They count processing attempts: after a crash the records of the
 * aborted transaction are processed again and counted again (the totals in MongoDB are exact, these are not). A
 * plain singleton: the stream threads count through it directly, not through a client proxy.
 */
@Singleton
public class AggregationMetrics {

    private final MeterRegistry registry;
    private final Counter aggregated;
    private final Counter deduplicated;
    private final Counter unmetered;
    private final Counter windowWrites;
    private final Counter staleWindowWrites;
    private final Map<String, Counter> dlq = new ConcurrentHashMap<>();
    private final Map<String, Counter> skipped = new ConcurrentHashMap<>();

    public AggregationMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.aggregated = Counter.builder("meterline.billing.events.aggregated")
                .description("Events counted into at least one meter window").register(registry);
        this.deduplicated = Counter.builder("meterline.billing.events.deduplicated")
                .description("Events already seen (same source and id), not counted again").register(registry);
        this.unmetered = Counter.builder("meterline.billing.events.unmetered")
                .description("Valid events no meter selects").register(registry);
        this.windowWrites = Counter.builder("meterline.billing.window.writes")
                .description("Window documents written to MongoDB").register(registry);
        this.staleWindowWrites = Counter.builder("meterline.billing.window.writes.stale")
                .description("Window writes skipped because MongoDB already had a newer version").register(registry);
    }

    public void aggregated() {
        aggregated.increment();
    }

    public void deduplicated() {
        deduplicated.increment();
    }

    public void unmetered() {
        unmetered.increment();
    }

    public void deadLettered(String reason) {
        dlq.computeIfAbsent(reason, r -> Counter.builder("meterline.billing.events.dlq")
                .description("Records sent to the DLQ topic, by reason").tag("reason", r).register(registry))
                .increment();
    }

    /** A meter selected the event but could not use it (e.g. the value is missing or not a number). */
    public void skipped(String reason) {
        skipped.computeIfAbsent(reason, r -> Counter.builder("meterline.billing.events.skipped")
                .description("Meter contributions skipped, by reason").tag("reason", r).register(registry))
                .increment();
    }

    public void windowWrites(long written, long stale) {
        windowWrites.increment(written);
        staleWindowWrites.increment(stale);
    }
}
