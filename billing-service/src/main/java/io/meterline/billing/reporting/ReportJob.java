package io.meterline.billing.reporting;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** The scheduled Stripe report ({@code billing.reporting.cron}); a run still going on this instance is not doubled. */
@ApplicationScoped
public class ReportJob {

    private static final Logger LOG = Logger.getLogger(ReportJob.class);

    private final ReportingService reporting;

    public ReportJob(ReportingService reporting) {
        this.reporting = reporting;
    }

    @Scheduled(identity = "stripe-report", cron = "${billing.reporting.cron}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void report() {
        if (reporting.run("schedule") instanceof ReportingService.Busy busy) {
            // another replica holds the lease: it reports for everyone
            LOG.infof("scheduled report skipped: report run %s holds the reporting lease", busy.leaseHolder());
        }
    }
}
