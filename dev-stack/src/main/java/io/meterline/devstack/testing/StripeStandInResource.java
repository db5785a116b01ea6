package io.meterline.devstack.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * Points a Quarkus application under test at the shared Stripe stand-in, with a test-mode-looking API key, and
 * gives it a freshly generated webhook signing secret. The application's port is only known once it runs, so
 * the test registers the endpoint itself:
 * {@code SharedInfrastructure.stripe().addWebhookEndpoint(url + "/webhooks/stripe", StripeStandInResource.signingSecret())}.
 */
public class StripeStandInResource implements QuarkusTestResourceLifecycleManager {

    public static final String API_KEY = "sk_test_meterline_standin";

    private static volatile String signingSecret;

    @Override
    public Map<String, String> start() {
        String apiBase = SharedInfrastructure.stripe().apiBase();
        String secret = signingSecret();
        return Map.of(
                "billing.stripe.api-base", apiBase,
                "billing.stripe.api-key", API_KEY,
                "billing.stripe.meter-event-stream.base", apiBase,
                "webhook.stripe.api-base", apiBase,
                "webhook.stripe.api-key", API_KEY,
                "webhook.signing-secrets", secret);
    }

    /** The signing secret handed to the application (one per test JVM). */
    public static synchronized String signingSecret() {
        if (signingSecret == null) {
            byte[] bytes = new byte[24];
            new SecureRandom().nextBytes(bytes);
            signingSecret = "whsec_" + HexFormat.of().formatHex(bytes);
        }
        return signingSecret;
    }

    @Override
    public void stop() {
        // shared by every test of the module: stopped when the JVM exits
    }
}
