package io.meterline.billing.stripe;

import com.stripe.exception.StripeException;
import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.config.StripeConfig;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
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

    private final StripeConfig config;
    private final long intervalNanos;
    private long nextSlot;

    public StripeCaller(BillingConfig config) {
        this.config = config.stripe();
        double rate = this.config.rateLimit();
        this.intervalNanos = rate <= 0 ? 0 : (long) (1_000_000_000L / rate);
    }

    public <T> T call(String what, Call<T> call) throws StripeCallException {
        for (int attempt = 1; ; attempt++) {
            acquire();
            try {
                return call.run();
            } catch (StripeException e) {
                StripeCallException translated = StripeErrors.translate(e);
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
