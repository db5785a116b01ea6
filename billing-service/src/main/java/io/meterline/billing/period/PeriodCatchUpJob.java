package io.meterline.billing.period;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Every {@code billing.periods.catch-up-every} (default 5 minutes; also right after start, so downtime is caught up
 * at once): closes every complete period within the lookbacks that is not closed yet. Runs on every instance; the
 * closing is decided per period by a unique insert, so concurrent runs never close a period twice.
 */
@ApplicationScoped
public class PeriodCatchUpJob {

    private static final Logger LOG = Logger.getLogger(PeriodCatchUpJob.class);

    private final PeriodCloser closer;

    public PeriodCatchUpJob(PeriodCloser closer) {
        this.closer = closer;
    }

    @Scheduled(identity = "period-catch-up", every = "${billing.periods.catch-up-every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void catchUp() {
        try {
            closer.closeDue("schedule");
        } catch (RuntimeException e) {
            // the next run starts from the same checkpoint: nothing is skipped
            LOG.warnf(e, "period catch-up failed; the next run retries");
        }
    }
}
