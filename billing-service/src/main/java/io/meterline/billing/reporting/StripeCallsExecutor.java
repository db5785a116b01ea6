package io.meterline.billing.reporting;

import io.meterline.billing.config.BillingConfig;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One pool for reporting's Stripe calls ({@code billing.reporting.concurrency} threads), created once and shut down
 * by the container. The calls are blocking stripe-java calls, so they stay off the event loop and the worker pool.
 */
public class StripeCallsExecutor {

    @Produces
    @Singleton
    @StripeCalls
    ExecutorService stripeCalls(BillingConfig config) {
        AtomicInteger threads = new AtomicInteger();
        return Executors.newFixedThreadPool(Math.max(1, config.reporting().concurrency()), r -> {
            Thread t = new Thread(r, "stripe-report-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void close(@Disposes @StripeCalls ExecutorService executor) {
        executor.shutdownNow();
    }
}
