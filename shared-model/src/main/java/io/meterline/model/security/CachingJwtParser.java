package io.meterline.model.security;

import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import org.eclipse.microprofile.jwt.JsonWebToken;

import javax.crypto.SecretKey;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers tokens that passed verification (signature, issuer, audience, expiry) for a short time, so that a
 * client sending thousands of requests per second with the same token is not RSA-verified on every request (the
 * largest single cost of a small request in ingest and in billing). Only successes are cached, a hit is re-checked
 * against the token's own {@code exp}, and an entry lives at most {@code ttl} so that a rotated-out signing key stops
 * being honoured within that time. Each service makes it its {@code JWTParser} bean (an {@code @Alternative}
 * subclass with its own config keys). See docs/decisions/0012.
 */
public class CachingJwtParser implements JWTParser {

    private final JWTParser delegate;
    private final int maxEntries;
    private final long ttlMillis;
    private final ConcurrentHashMap<String, Verified> cache = new ConcurrentHashMap<>();

    private record Verified(JsonWebToken token, long validUntilMillis) {
    }

    /** {@code maxEntries} 0 verifies every request. */
    public CachingJwtParser(JWTParser delegate, int maxEntries, Duration ttl) {
        this.delegate = delegate;
        this.maxEntries = maxEntries;
        this.ttlMillis = ttl.toMillis();
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        if (maxEntries <= 0) {
            return delegate.parse(token);
        }
        long now = System.currentTimeMillis();
        Verified hit = cache.get(token);
        if (hit != null) {
            if (now < hit.validUntilMillis()) {
                return hit.token();
            }
            cache.remove(token, hit);
        }
        JsonWebToken verified = delegate.parse(token);
        long expiresAt = verified.getExpirationTime() * 1000;
        if (cache.size() >= maxEntries) {
            // a flood of distinct tokens: start over rather than track recency; correctness never depends on it
            cache.clear();
        }
        cache.put(token, new Verified(verified, Math.min(expiresAt, now + ttlMillis)));
        return verified;
    }

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return delegate.parse(token, context);
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return delegate.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return delegate.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return delegate.verify(token, secret);
    }

    @Override
    public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
        return delegate.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return delegate.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return delegate.decrypt(token, secret);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return delegate.parseOnly(token);
    }
}
