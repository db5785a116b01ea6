package io.meterline.billing.reconciliation;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reconciliation metrics. {@code meterline_reconciliation_over_reported_windows} (per meter, last complete run) and
 * {@code meterline_source_reliability_below_threshold} are what the alert rules in {@code deploy/} watch.
 */
@ApplicationScoped
public class ReconciliationMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> overReportedWindows = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> overReportedUnits = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> reliabilityPermille = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> belowThreshold = new ConcurrentHashMap<>();

    public ReconciliationMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(ReconciliationRun run) {
        registry.counter("meterline.reconciliation.runs", "status", run.status, "dry_run", String.valueOf(run.dryRun))
                .increment();
        run.counts.forEach((windowClass, n) ->
                registry.counter("meterline.reconciliation.windows", "class", windowClass).increment(n));
        registry.counter("meterline.reconciliation.corrections", "outcome", "delivered").increment(run.corrected);
        registry.counter("meterline.reconciliation.corrections", "outcome", "failed").increment(run.correctionsFailed);
        // the state per meter after the latest complete look at it (a run for one customer is not a complete look)
        if ("completed".equals(run.status) && run.customer == null) {
            run.drift.forEach((meter, drift) -> {
                gauge(overReportedWindows, "meterline.reconciliation.over.reported.windows", meter).set(drift.overWindows);
                gauge(overReportedUnits, "meterline.reconciliation.over.reported.units", meter).set(drift.over);
            });
        }
    }

    private AtomicLong gauge(Map<String, AtomicLong> gauges, String name, String meter) {
        return gauges.computeIfAbsent(meter, m -> registry.gauge(name, Tags.of("meter", m), new AtomicLong()));
    }

    void recordSource(String source, long recovered, double reliability, boolean alert) {
        registry.counter("meterline.source.recovered", "source", source).increment(recovered);
        reliabilityPermille.computeIfAbsent(source, s -> registry.gauge("meterline.source.reliability.permille",
                Tags.of("source", s), new AtomicLong())).set(Math.round(reliability * 1000));
        belowThreshold.computeIfAbsent(source, s -> registry.gauge("meterline.source.reliability.below.threshold",
                Tags.of("source", s), new AtomicLong())).set(alert ? 1 : 0);
    }
}
