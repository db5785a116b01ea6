package io.meterline.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "equal jitter" (half fixed, half random, so retries of many clients spread out), capped;
 * a server's {@code Retry-After} is a floor, never shortened.
 */
final class Backoff {

    private final Duration initial;
    private final Duration max;

    Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** The wait before retry number {@code attempt} (1 = the first retry); {@code retryAfter} may be null. */
    Duration delay(int attempt, Duration retryAfter) {
        long cap = max.toMillis();
        long exponential = Math.min(cap, initial.toMillis() << Math.min(attempt - 1, 30));
        long half = Math.max(1, exponential / 2);
        long delay = half + ThreadLocalRandom.current().nextLong(half + 1);
        if (retryAfter != null) {
            // honour the server's floor, plus a little jitter so clients told the same value do not return together
            long floor = retryAfter.toMillis();
            delay = Math.max(delay, floor + ThreadLocalRandom.current().nextLong(Math.max(1, floor / 10) + 1));
        }
        return Duration.ofMillis(delay);
    }
}
