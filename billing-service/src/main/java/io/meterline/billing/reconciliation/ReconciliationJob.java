package io.meterline.billing.reconciliation;

import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.problem.BillingException;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;

/** The scheduled reconciliation ({@code billing.reconciliation.cron}, 03:00 UTC by default): Stripe, then every usage source. */
@ApplicationScoped
public class ReconciliationJob {

    private static final Logger LOG = Logger.getLogger(ReconciliationJob.class);

    private final ReconciliationService stripe;
    private final UsageSourceService sources;
    private final BillingConfig config;

    public ReconciliationJob(ReconciliationService stripe, UsageSourceService sources, BillingConfig config) {
        this.stripe = stripe;
        this.sources = sources;
        this.config = config;
    }

    @Scheduled(identity = "reconciliation", cron = "${billing.reconciliation.cron}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcile() {
        Instant now = Instant.now();
        Instant from = now.minus(config.reconciliation().scheduledRange());
        try {
            stripe.run(new ReconciliationService.Request(from, now, null, null, false), "schedule");
        } catch (BillingException e) {
            LOG.infof("scheduled reconciliation skipped: %s", e.getMessage());
        }
        config.sources().forEach((name, source) -> {
            if ("pull".equals(source.kind())) {
                try {
                    sources.pull(name, from, now, "schedule");
                } catch (RuntimeException e) {
                    LOG.warnf("scheduled run of usage source %s failed: %s", name, e.getMessage());
                }
            }
        });
    }
}
