package io.meterline.ingest.security;

import io.meterline.ingest.config.IngestConfig;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTParser;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Duration;

/**
 * Ingest's {@code JWTParser}: shared-model's verified-token cache around smallrye-jwt's parser, sized by
 * {@code ingest.auth.token-cache-size} and {@code ingest.auth.token-cache-ttl}. See docs/decisions/0012.
 */
@Alternative
@Priority(1)
@Singleton
public class CachingJwtParser extends io.meterline.model.security.CachingJwtParser {

    @Inject
    public CachingJwtParser(DefaultJWTParser delegate, IngestConfig config) {
        this(delegate, config.auth().tokenCacheSize(), config.auth().tokenCacheTtl());
    }

    CachingJwtParser(JWTParser delegate, int maxEntries, Duration ttl) {
        super(delegate, maxEntries, ttl);
    }
}
