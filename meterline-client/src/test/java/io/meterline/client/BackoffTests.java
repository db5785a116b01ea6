package io.meterline.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTests {

    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

    @Test
    void delaysGrowExponentiallyWithJitterUpToTheCap() {
        for (int i = 0; i < 100; i++) {
            assertThat(backoff.delay(1, null).toMillis()).isBetween(50L, 100L);
            assertThat(backoff.delay(4, null).toMillis()).isBetween(400L, 800L);
            assertThat(backoff.delay(30, null).toMillis()).isBetween(5_000L, 10_000L);
        }
    }

    @Test
    void retryAfterIsAFloorNeverShortened() {
        for (int i = 0; i < 100; i++) {
            assertThat(backoff.delay(1, Duration.ofSeconds(5)).toMillis()).isBetween(5_000L, 5_500L);
        }
    }
}
