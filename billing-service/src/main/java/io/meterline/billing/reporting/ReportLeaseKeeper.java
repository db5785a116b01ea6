package io.meterline.billing.reporting;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps the reporting lease honest: renews the lease of the run working on this instance, and aborts runs left
 * {@code running} by an instance that died ({@code owner_lost}); the first sweep runs at start-up.
 */
@ApplicationScoped
public class ReportLeaseKeeper {

    private final ReportingService reporting;

    public ReportLeaseKeeper(ReportingService reporting) {
        this.reporting = reporting;
    }

    @Scheduled(identity = "report-lease-renewal", every = "${billing.reporting.lease-renewal}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void renew() {
        reporting.renewActiveLease();
    }

    @Scheduled(identity = "report-orphan-sweep", every = "${billing.reporting.lease-renewal}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        reporting.abortOrphanedRuns();
    }
}
