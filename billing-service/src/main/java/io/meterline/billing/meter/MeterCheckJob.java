package io.meterline.billing.meter;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/** Checks every meter against Stripe at start-up and then every {@code billing.meter-checks.every}. */
@ApplicationScoped
public class MeterCheckJob {

    private final MeterService meters;
    private final MeterCheckService checks;

    public MeterCheckJob(MeterService meters, MeterCheckService checks) {
        this.meters = meters;
        this.checks = checks;
    }

    @Scheduled(identity = "stripe-meter-check", every = "${billing.meter-checks.every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void check() {
        checks.checkAll(meters.all());
    }
}
