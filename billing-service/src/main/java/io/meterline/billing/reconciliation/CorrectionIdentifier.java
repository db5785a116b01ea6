package io.meterline.billing.reconciliation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The identifier of a correction meter event: its own prefix, so it never collides with a reporting identifier
 * ({@code ml1_}), and a function of what was decided on (customer, meter, hour, the ledger's total, Stripe's total
 * seen, corrections already delivered for the window). A rerun after a crash decides the same and sends the same
 * identifier; a later loss of the correction itself gets a new one (one more delivered correction).
 */
final class CorrectionIdentifier {

    static final String PREFIX = "mlrc1_";

    private CorrectionIdentifier() {
    }

    static String of(String customerId, String meter, long windowStart, long ledger, long stripeSeen, long delivered) {
        String canonical = customerId.length() + ":" + customerId + ";" + meter.length() + ":" + meter + ";" + windowStart
                + ";" + ledger + ";" + stripeSeen + ";" + delivered;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
