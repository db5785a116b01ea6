package io.meterline.billing.reporting;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Business metrics of reporting: runs, deltas reported, windows skipped by reason, failures. */
@ApplicationScoped
public class ReportMetrics {

    private final MeterRegistry registry;
    private final AtomicLong lastRunFinished = new AtomicLong();
    private final AtomicLong lastRunFailed = new AtomicLong();

    public ReportMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("meterline.report.last.run.finished", lastRunFinished);
        registry.gauge("meterline.report.last.run.failed", lastRunFailed);
    }

    void record(ReportRun run) {
        String dryRun = String.valueOf(run.dryRun);
        registry.counter("meterline.report.runs", "dry_run", dryRun, "status", run.status).increment();
        counter("meterline.report.windows", dryRun).increment(run.total);
        counter("meterline.report.deltas.reported", dryRun).increment(run.reported);
        counter("meterline.report.value.reported", dryRun).increment(run.reportedValue);
        counter("meterline.report.deltas.failed", dryRun).increment(run.failed);
        counter("meterline.report.deltas.duplicate", dryRun).increment(run.duplicates);
        run.skipped.forEach((reason, n) ->
                registry.counter("meterline.report.windows.skipped", "reason", reason, "dry_run", dryRun).increment(n));
        if (run.started != null && run.finished != null) {
            Timer.builder("meterline.report.run.duration").tag("dry_run", dryRun).register(registry)
                    .record(Duration.between(run.started, run.finished));
            lastRunFinished.set(run.finished.getEpochSecond());
        }
        lastRunFailed.set(run.failed);
    }

    void orphansAborted(long n) {
        registry.counter("meterline.report.runs.orphaned").increment(n);
    }

    private Counter counter(String name, String dryRun) {
        return registry.counter(name, "dry_run", dryRun);
    }
}
