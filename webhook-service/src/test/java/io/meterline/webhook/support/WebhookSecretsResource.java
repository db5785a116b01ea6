package io.meterline.webhook.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/** Two freshly generated signing secrets, as during a rotation: the service accepts either. */
public class WebhookSecretsResource implements QuarkusTestResourceLifecycleManager {

    private static final String OLD = generate();
    private static final String NEW = generate();

    public static String oldSecret() {
        return OLD;
    }

    public static String newSecret() {
        return NEW;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("webhook.signing-secrets", OLD + "," + NEW);
    }

    @Override
    public void stop() {
    }

    private static String generate() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return "whsec_" + HexFormat.of().formatHex(bytes);
    }
}
