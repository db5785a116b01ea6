package io.meterline.billing.config;

import io.smallrye.config.ConfigMapping;

/**
 * All of billing-service's own settings, under {@code billing.*}. Groups live in their own interfaces
 * (one per concern) and are added here as methods.
 */
@ConfigMapping(prefix = "billing")
public interface BillingConfig {
}
