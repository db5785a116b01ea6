package io.meterline.billing.stripe;

import com.stripe.exception.StripeException;
import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.config.StripeConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;


import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Every Stripe call goes through here: the client-side rate limit, then the call, then our retries for what
 * is retryable (exponential backoff with full jitter, never shorter than Stripe's {@code Retry-After}), on top
 * of stripe-java's own network retries. Blocking: callers run on worker threads.
 */
@Singleton
public class StripeCaller {

    private static final Logger LOG = Logger.getLogger(StripeCaller.class);

    /** One Stripe SDK call. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws StripeException;
    }

    /** Stripe's documented error statuses, registered at start so dashboards and alerts see zeros, not gaps. */
    private static final List<String> KNOWN_CODES = List.of("400", "401", "402", "403", "404", "409", "429", "500", "502",
            "503");

    private final StripeConfig config;
    private final MeterRegistry registry;
    private final long intervalNanos;
    private long nextSlot;

    @Inject
    public StripeCaller(BillingConfig config, MeterRegistry registry) {
        this(config.stripe(), registry, config.stripe().rateLimit());
    }

    /** A caller with its own rate limit (the v2 meter event stream counts requests of up to 100 events). */
    StripeCaller(StripeConfig config, MeterRegistry registry, double rate) {
        this.config = config;
        this.registry = registry;
        for (String operation : List.of("meter_event", "subscription_item")) {
            KNOWN_CODES.forEach(code -> errors(operation, code));
        }
        this.intervalNanos = rate <= 0 ? 0 : (long) (1_000_000_000L / rate);
    }

    public <T> T call(String what, Call<T> call) throws StripeCallException {
        return call("other", what, call);
    }

    /**
     * {@code operation} names the kind of call for metrics ({@code meterline.stripe.calls} timer and
     * {@code meterline.stripe.call.errors} by HTTP code); {@code what} describes this call for logs.
     */
    public <T> T call(String operation, String what, Call<T> call) throws StripeCallException {
        for (int attempt = 1; ; attempt++) {
            acquire();
            long start = System.nanoTime();
            try {
                T result = call.run();
                timer(operation, "success").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                return result;
            } catch (StripeException e) {
                StripeCallException translated = StripeErrors.translate(e);
                if (translated.kind() == StripeCallException.Kind.DUPLICATE) {
                    // Stripe already has this identifier: delivered, not an error
                    timer(operation, "duplicate").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                } else {
                    timer(operation, "error").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    errors(operation, translated.status() == null ? "network" : String.valueOf(translated.status()))
                            .increment();
                }
                if (!translated.retryable() || attempt >= config.maxAttempts()) {
                    throw translated;
                }
                Duration wait = backoff(attempt, translated.retryAfter());
                LOG.debugf("%s: attempt %d failed (%s %s), retrying in %d ms", what, attempt, translated.status(),
                        translated.getMessage(), wait.toMillis());
                sleep(wait);
            }
        }
    }

    private Timer timer(String operation, String outcome) {
        return Timer.builder("meterline.stripe.calls").description("Stripe API calls (each attempt), by outcome")
                .tag("operation", operation).tag("outcome", outcome).register(registry);
    }

    private Counter errors(String operation, String code) {
        return Counter.builder("meterline.stripe.call.errors").description("Stripe API errors by HTTP status")
                .tag("operation", operation).tag("code", code).register(registry);
    }

    Duration backoff(int attempt, Duration retryAfter) {
        long cap = config.backoffMax().toMillis();
        long exponential = Math.min(cap, config.backoffBase().toMillis() << Math.min(20, attempt - 1));
        long jittered = ThreadLocalRandom.current().nextLong(exponential / 2, exponential + 1);
        long wait = retryAfter == null ? jittered : Math.max(jittered, Math.min(retryAfter.toMillis(), 60_000));
        return Duration.ofMillis(wait);
    }

    /** Smooth pacing: each caller takes the next free slot, so no burst exceeds the configured rate. */
    private void acquire() {
        if (intervalNanos == 0) {
            return;
        }
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            long slot = Math.max(now, nextSlot);
            nextSlot = slot + intervalNanos;
            wait = slot - now;
        }
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
