package io.meterline.model.report;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The deterministic {@code identifier} of a Stripe Billing Meter event that reports one delta of one hourly
 * window. Stripe keeps identifiers unique for at least 24 hours and answers a repeat with "An event already exists
 * with identifier …", so a retry, or a rerun after a crash between "Stripe accepted" and "ledger recorded", sends
 * the same identifier and cannot count twice.
 *
 * <p>The inputs are what the report ledger knew <em>before</em> the delta: the Stripe customer, the Meterline
 * subject (two subjects of one organization bill to the same customer, and their windows must never collide), the
 * meter, the window, the amount already reported and how many deltas were already reported for this window (a
 * gauge can return to an earlier value; the sequence keeps its identifiers distinct). The identifier never
 * depends on the new total: that may change between a crash and the rerun, and the rerun first re-sends the
 * pending delta as it was recorded.
 */
public final class MeterEventIdentifier {

    /** Prefix and version of the scheme, so a future scheme cannot collide with this one. */
    public static final String PREFIX = "ml1_";

    private MeterEventIdentifier() {
    }

    /** {@code ml1_} + 32 hex digits (128 bits of SHA-256 over the inputs): 36 characters, within Stripe's 100. */
    public static String of(String stripeCustomerId, String subject, String meterKey, long windowStartEpochSecond,
            long alreadyReported, long sequence) {
        Objects.requireNonNull(stripeCustomerId, "stripeCustomerId");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(meterKey, "meterKey");
        // lengths prefix each field, so no choice of values can make two different inputs hash the same text
        String canonical = field(stripeCustomerId) + field(subject) + field(meterKey) + windowStartEpochSecond + ';'
                + alreadyReported + ';' + sequence;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    private static String field(String value) {
        return value.length() + ":" + value + ";";
    }
}
