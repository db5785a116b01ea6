package io.meterline.billing.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;

/** {@code billing.auth.*}: token verification. */
public interface AuthConfig {

    /** Verified tokens remembered (0 = verify every request). */
    @WithDefault("10000")
    int tokenCacheSize();

    /** Longest a verification is reused (a token's own expiry always applies). */
    @WithDefault("60S")
    Duration tokenCacheTtl();
}
