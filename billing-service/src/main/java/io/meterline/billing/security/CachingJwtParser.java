package io.meterline.billing.security;

import io.meterline.billing.config.BillingConfig;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Billing's {@code JWTParser}: shared-model's verified-token cache around smallrye-jwt's parser, sized by
 * {@code billing.auth.token-cache-size} and {@code billing.auth.token-cache-ttl}. Producers ask for entitlements
 * before every call with the same token; verifying its RSA signature each time was most of the check's CPU
 * (docs/decisions/0012, 0114).
 */
@Alternative
@Priority(1)
@Singleton
public class CachingJwtParser extends io.meterline.model.security.CachingJwtParser {

    @Inject
    public CachingJwtParser(DefaultJWTParser delegate, BillingConfig config) {
        super(delegate, config.auth().tokenCacheSize(), config.auth().tokenCacheTtl());
    }
}
