package io.meterline.ingest.security;

import io.meterline.ingest.config.IngestConfig;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import org.eclipse.microprofile.jwt.JsonWebToken;

import javax.crypto.SecretKey;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers tokens that passed verification (signature, issuer, audience, expiry) for a short time, so that a
 * producer sending thousands of requests per second with the same token is not RSA-verified on every request
 * (that verification was the largest single cost of a one-event request). Only successes are cached, a hit is
 * re-checked against the token's own {@code exp}, and an entry lives at most {@code ingest.auth.token-cache-ttl}
 * so that a rotated-out signing key stops being honoured within that time. See docs/decisions/0012.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class CachingJwtParser implements JWTParser {

    private final JWTParser delegate;
    private final int maxEntries;
    private final long ttlMillis;
    private final ConcurrentHashMap<String, Verified> cache = new ConcurrentHashMap<>();

    private record Verified(JsonWebToken token, long validUntilMillis) {
    }

    @jakarta.inject.Inject
    public CachingJwtParser(DefaultJWTParser delegate, IngestConfig config) {
        this(delegate, config.auth().tokenCacheSize(), config.auth().tokenCacheTtl());
    }

    CachingJwtParser(JWTParser delegate, int maxEntries, java.time.Duration ttl) {
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
