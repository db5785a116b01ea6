package io.meterline.billing.stripe;

import com.stripe.StripeClient;
import io.meterline.billing.config.BillingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Builds the one {@link StripeClient} from configuration (api base included, so tests and the demo reach the
 * local stand-in and a real {@code STRIPE_API_KEY} reaches Stripe with the same code). Only asked for when a
 * key is configured; without one, callers stay in dry-run and never touch it.
 */
@ApplicationScoped
public class StripeClientProducer {

    @Produces
    @Singleton
    StripeClient stripeClient(BillingConfig config, CountingHttpClient http) {
        String key = config.stripe().apiKey()
                .orElseThrow(() -> new IllegalStateException("billing.stripe.api-key is not set: reporting is in dry-run"));
        return StripeClient.builder()
                .setApiKey(key)
                .setApiBase(config.stripe().apiBase())
                .setMaxNetworkRetries(config.stripe().networkRetries())
                .setConnectTimeout((int) config.stripe().connectTimeout().toMillis())
                .setReadTimeout((int) config.stripe().readTimeout().toMillis())
                .setHttpClient(http)
                .build();
    }
}
