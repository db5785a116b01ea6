package io.meterline.webhook.scheduler;

import io.meterline.webhook.service.CatchUpService;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Periodic catch-up of events Stripe could not deliver; does nothing without a Stripe API key. */
@ApplicationScoped
public class CatchUpJob {

    private static final Logger LOG = Logger.getLogger(CatchUpJob.class);

    private final CatchUpService catchUp;

    public CatchUpJob(CatchUpService catchUp) {
        this.catchUp = catchUp;
    }

    @Scheduled(identity = "webhook-catch-up", every = "${webhook.catch-up.every:1h}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void run() {
        if (!catchUp.available()) {
            return;
        }
        try {
            catchUp.run();
        } catch (RuntimeException e) {
            LOG.warnf("catch-up failed, next run retries: %s", e.getMessage());
        }
    }
}
