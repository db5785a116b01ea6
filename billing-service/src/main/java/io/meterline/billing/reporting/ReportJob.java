package io.meterline.billing.reporting;

import io.meterline.billing.problem.ApiException;
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
        try {
            reporting.run("schedule");
        } catch (ApiException e) {
            // another replica holds the lease: it reports for everyone
            LOG.infof("scheduled report skipped: %s", e.getMessage());
        }
    }
}
