package io.meterline.billing.reconciliation;

import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.meter.MeterService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reconciliation metrics. {@code meterline_reconciliation_over_reported_windows} (per meter, last complete run),
 * {@code meterline_source_reliability_below_threshold} and {@code meterline_reconciliation_last_run_finished} are
 * what the alert rules in {@code deploy/monitoring/} watch. Every series exists from start-up: counters at 0, the
 * per-meter and per-source readings NaN until a run has looked (a gauge that appears only after the first run hides
 * "never ran" from Prometheus, and {@code increase()} misses a counter's first step). The meters' gauges are added as
 * meters appear.
 */
@ApplicationScoped
public class ReconciliationMetrics {

    /** A reading that is unknown (NaN) until a run sets it. */
    private static final class Reading {
        volatile double value = Double.NaN;

        double value() {
            return value;
        }
    }

    private final MeterRegistry registry;
    private final MeterService meters;
    private final BillingConfig config;
    private final ReconciliationRepository runs;
    private final Map<String, Reading> overReportedWindows = new ConcurrentHashMap<>();
    private final Map<String, Reading> overReportedUnits = new ConcurrentHashMap<>();
    private final Map<String, Reading> reliabilityPermille = new ConcurrentHashMap<>();
    private final Map<String, Reading> belowThreshold = new ConcurrentHashMap<>();
    /** Epoch second of the last completed run over every customer; 0 = none since the data began. */
    private final AtomicLong lastRunFinished = new AtomicLong();

    public ReconciliationMetrics(MeterRegistry registry, MeterService meters, BillingConfig config,
            ReconciliationRepository runs) {
        this.registry = registry;
        this.meters = meters;
        this.config = config;
        this.runs = runs;
    }

    void register(@Observes StartupEvent start) {
        registry.gauge("meterline.reconciliation.last.run.finished", lastRunFinished);
        ReconciliationRun last = runs.lastComplete();
        if (last != null && last.finished != null) {
            lastRunFinished.set(last.finished.getEpochSecond());
        }
        for (WindowClass windowClass : WindowClass.values()) {
            registry.counter("meterline.reconciliation.windows", "class", windowClass.code());
        }
        registry.counter("meterline.reconciliation.corrections", "outcome", "delivered");
        registry.counter("meterline.reconciliation.corrections", "outcome", "failed");
        config.sources().keySet().forEach(source -> {
            reading(reliabilityPermille, "meterline.source.reliability.permille", "source", source);
            reading(belowThreshold, "meterline.source.reliability.below.threshold", "source", source);
        });
        trackMeters();
    }

    @Scheduled(identity = "reconciliation-metrics-meters", every = "${billing.aggregation.meter-refresh-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void trackMeters() {
        meters.all().forEach(meter -> {
            reading(overReportedWindows, "meterline.reconciliation.over.reported.windows", "meter", meter.key());
            reading(overReportedUnits, "meterline.reconciliation.over.reported.units", "meter", meter.key());
        });
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
            trackMeters();
            // a meter the run saw no window of has nothing over-reported
            overReportedWindows.forEach((meter, reading) -> {
                if (run.meter == null || run.meter.equals(meter)) {
                    ReconciliationRun.Drift drift = run.drift.get(meter);
                    reading.value = drift == null ? 0 : drift.overWindows;
                    overReportedUnits.get(meter).value = drift == null ? 0 : drift.over;
                }
            });
            run.drift.forEach((meter, drift) -> {
                reading(overReportedWindows, "meterline.reconciliation.over.reported.windows", "meter", meter).value =
                        drift.overWindows;
                reading(overReportedUnits, "meterline.reconciliation.over.reported.units", "meter", meter).value = drift.over;
            });
            if (run.meter == null && run.finished != null) {
                lastRunFinished.set(run.finished.getEpochSecond());
            }
        }
    }

    private Reading reading(Map<String, Reading> readings, String name, String tag, String value) {
        return readings.computeIfAbsent(value, v -> registry.gauge(name, Tags.of(tag, v), new Reading(), Reading::value));
    }

    void recordSource(String source, long recovered, double reliability, boolean alert) {
        registry.counter("meterline.source.recovered", "source", source).increment(recovered);
        reading(reliabilityPermille, "meterline.source.reliability.permille", "source", source).value =
                Math.round(reliability * 1000);
        reading(belowThreshold, "meterline.source.reliability.below.threshold", "source", source).value = alert ? 1 : 0;
    }
}
