package io.meterline.model.security;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What was derived from a verified bearer token (the parsed token, a security identity), remembered by the exact
 * token string until {@code min(token exp, stored at + ttl)}. At most {@code maxEntries} are kept: when full the cache
 * is emptied, so a flood of distinct tokens costs verification, never correctness. {@code maxEntries} 0 keeps
 * nothing. Callers store only what full verification produced (see docs/decisions/0012).
 */
public final class TokenCache<T> {

    private record Entry<T>(T value, long validUntilMillis) {
    }

    private final int maxEntries;
    private final long ttlMillis;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Entry<T>> entries = new ConcurrentHashMap<>();

    public TokenCache(int maxEntries, Duration ttl) {
        this(maxEntries, ttl, System::currentTimeMillis);
    }

    TokenCache(int maxEntries, Duration ttl, LongSupplier clock) {
        this.maxEntries = maxEntries;
        this.ttlMillis = ttl.toMillis();
        this.clock = clock;
    }

    public boolean enabled() {
        return maxEntries > 0;
    }

    /** The value stored for exactly this token while it is valid (strictly before its expiry), else null. */
    public T get(String token) {
        if (token == null || maxEntries <= 0) {
            return null;
        }
        Entry<T> hit = entries.get(token);
        if (hit == null) {
            return null;
        }
        if (clock.getAsLong() < hit.validUntilMillis()) {
            return hit.value();
        }
        entries.remove(token, hit);
        return null;
    }

    /** Remembers {@code value} for {@code token}, whose {@code exp} claim is {@code expiresAtSeconds}. */
    public void put(String token, T value, long expiresAtSeconds) {
        if (token == null || maxEntries <= 0) {
            return;
        }
        long now = clock.getAsLong();
        if (entries.size() >= maxEntries) {
            entries.clear(); // start over rather than track recency; correctness never depends on it
        }
        entries.put(token, new Entry<>(value, Math.min(expiresAtSeconds * 1000, now + ttlMillis)));
    }
}
