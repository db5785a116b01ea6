package io.meterline.webhook.domain;

import java.time.Duration;

/** Exponential backoff between processing attempts, capped. */
public record Backoff(Duration initial, double multiplier, Duration max) {

    /** Delay before the next attempt after {@code attemptsSoFar} failed attempts (1 = the first failed). */
    public Duration delayAfter(int attemptsSoFar) {
        double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, attemptsSoFar - 1));
        return millis >= max.toMillis() ? max : Duration.ofMillis((long) millis);
    }
}
