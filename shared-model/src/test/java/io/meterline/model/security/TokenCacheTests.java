package io.meterline.model.security;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class TokenCacheTests {

    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);

    private TokenCache<String> cache(int maxEntries, Duration ttl) {
        return new TokenCache<>(maxEntries, ttl, now::get);
    }

    private long inSeconds(long seconds) {
        return now.get() / 1000 + seconds;
    }

    @Test
    void aValueIsFoundOnlyForTheExactTokenItWasStoredFor() {
        TokenCache<String> cache = cache(10, Duration.ofSeconds(60));
        cache.put("token-a", "caller-a", inSeconds(600));

        assertThat(cache.get("token-a")).isEqualTo("caller-a");
        assertThat(cache.get("token-a ")).isNull();
        assertThat(cache.get("token-b")).isNull();
        assertThat(cache.get(null)).isNull();
    }

    @Test
    void aValueLapsesAfterTheTtlEvenWhenTheTokenIsStillValid() {
        TokenCache<String> cache = cache(10, Duration.ofSeconds(60));
        cache.put("token", "caller", inSeconds(600));

        now.addAndGet(59_999);
        assertThat(cache.get("token")).isEqualTo("caller");
        now.addAndGet(1);
        assertThat(cache.get("token")).isNull();
    }

    @Test
    void aValueLapsesAtTheTokensExpiryStrictly() {
        TokenCache<String> cache = cache(10, Duration.ofSeconds(60));
        long exp = inSeconds(10);
        cache.put("token", "caller", exp);

        now.set(exp * 1000 - 1);
        assertThat(cache.get("token")).isEqualTo("caller");
        now.set(exp * 1000);
        assertThat(cache.get("token")).isNull();
    }

    @Test
    void anAlreadyExpiredTokenIsNeverServed() {
        TokenCache<String> cache = cache(10, Duration.ofSeconds(60));
        cache.put("token", "caller", inSeconds(-1));

        assertThat(cache.get("token")).isNull();
    }

    @Test
    void aFullCacheStartsOverAndKeepsTheNewEntry() {
        TokenCache<String> cache = cache(2, Duration.ofSeconds(60));
        cache.put("t1", "c1", inSeconds(600));
        cache.put("t2", "c2", inSeconds(600));
        cache.put("t3", "c3", inSeconds(600));

        assertThat(cache.get("t1")).isNull();
        assertThat(cache.get("t2")).isNull();
        assertThat(cache.get("t3")).isEqualTo("c3");
    }

    @Test
    void sizeZeroKeepsNothing() {
        TokenCache<String> cache = cache(0, Duration.ofSeconds(60));
        cache.put("token", "caller", inSeconds(600));

        assertThat(cache.enabled()).isFalse();
        assertThat(cache.get("token")).isNull();
    }
}
