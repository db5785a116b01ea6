package io.meterline.webhook.stripe;

import io.meterline.webhook.domain.ErrorCode;
import io.meterline.webhook.domain.WebhookException;

import java.util.regex.Pattern;

/**
 * The shape of a {@code Stripe-Signature} header ({@code t=<unix seconds>,v1=<hex>[,v1=…][,v0=…]}), checked before
 * stripe-java sees it: stripe-java fails with unchecked exceptions on shapes it does not expect.
 */
final class SignatureHeader {

    private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{1,12}");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{1,128}");

    private SignatureHeader() {
    }

    /** The header's timestamp, or a {@link WebhookException} ({@code invalid signature}) for any other shape. */
    static long timestamp(String header) {
        Long timestamp = null;
        boolean signature = false;
        for (String item : header.split(",", 64)) {
            int equals = item.indexOf('=');
            if (equals <= 0) {
                throw malformed();
            }
            String key = item.substring(0, equals).trim();
            String value = item.substring(equals + 1).trim();
            if (key.equals("t")) {
                if (timestamp != null || !TIMESTAMP.matcher(value).matches()) {
                    throw malformed();
                }
                timestamp = Long.parseLong(value);
            } else if (key.equals("v1")) {
                if (!HEX.matcher(value).matches()) {
                    throw malformed();
                }
                signature = true;
            }
        }
        if (timestamp == null || !signature) {
            throw malformed();
        }
        return timestamp;
    }

    private static WebhookException malformed() {
        return new WebhookException(ErrorCode.INVALID_SIGNATURE,
                "malformed Stripe-Signature header: expected t=<unix seconds>,v1=<hex signature>");
    }
}
