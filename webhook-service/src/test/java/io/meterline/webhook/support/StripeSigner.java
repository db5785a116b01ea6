package io.meterline.webhook.support;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;

/** Signs payloads the way Stripe does: {@code t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}. */
public final class StripeSigner {

    private StripeSigner() {
    }

    public static String header(String secret, String body) {
        return header(secret, body, Instant.now().getEpochSecond());
    }

    public static String header(String secret, String body, long timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
