package io.meterline.model.security;

import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import org.eclipse.microprofile.jwt.JsonWebToken;

import javax.crypto.SecretKey;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;

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
    private final TokenCache<JsonWebToken> cache;

    /** {@code maxEntries} 0 verifies every request. */
    public CachingJwtParser(JWTParser delegate, int maxEntries, Duration ttl) {
        this.delegate = delegate;
        this.cache = new TokenCache<>(maxEntries, ttl);
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        if (!cache.enabled()) {
            return delegate.parse(token);
        }
        JsonWebToken hit = cache.get(token);
        if (hit != null) {
            return hit;
        }
        JsonWebToken verified = delegate.parse(token);
        cache.put(token, verified, verified.getExpirationTime());
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
