package io.meterline.ingest.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Business counters of the ingest API (Prometheus: {@code meterline_ingest_events_*_total}). */
@ApplicationScoped
public class IngestMetrics {

    private final MeterRegistry registry;
    private final Counter accepted;
    private final Counter duplicates;
    private final Counter publishFailures;
    private final Map<String, Counter> rejectedByReason = new ConcurrentHashMap<>();

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.accepted = Counter.builder("meterline.ingest.events.accepted")
                .description("Events acknowledged by Kafka and answered as accepted").register(registry);
        this.duplicates = Counter.builder("meterline.ingest.events.duplicate_in_batch")
                .description("Events repeating an accepted (source, id) of the same request").register(registry);
        this.publishFailures = Counter.builder("meterline.ingest.publish.failures")
                .description("Events Kafka did not acknowledge in time (their request was answered 503)")
                .register(registry);
    }

    public void accepted(int count) {
        accepted.increment(count);
    }

    public void duplicates(int count) {
        duplicates.increment(count);
    }

    public void publishFailures(int count) {
        publishFailures.increment(count);
    }

    public void rejected(String reason) {
        rejectedByReason.computeIfAbsent(reason, r -> Counter.builder("meterline.ingest.events.rejected")
                .description("Events refused, by reason").tag("reason", r).register(registry)).increment();
    }
}
