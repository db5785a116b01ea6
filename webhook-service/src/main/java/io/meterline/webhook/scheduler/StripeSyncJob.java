package io.meterline.webhook.scheduler;

import io.meterline.webhook.service.StripeSyncCheck;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/** Periodic comparison of Stripe's subscriptions with the stored ones; does nothing without a Stripe API key. */
@ApplicationScoped
public class StripeSyncJob {

    private final StripeSyncCheck sync;

    public StripeSyncJob(StripeSyncCheck sync) {
        this.sync = sync;
    }

    @Scheduled(identity = "webhook-stripe-sync", every = "${webhook.sync-check.every:15m}", delayed = "60s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void run() {
        sync.run();
    }
}
