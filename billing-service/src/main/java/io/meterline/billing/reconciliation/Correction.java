package io.meterline.billing.reconciliation;

import java.time.Instant;

/**
 * A meter event that gives Stripe units it lost (collection {@code reconciliation_corrections}, keyed by its
 * identifier). Written as {@code pending} before it is sent: a crash leaves it pending, and the next run sends it
 * again with the same identifier, which Stripe deduplicates.
 */
public class Correction {
    /** The meter event identifier, {@link CorrectionIdentifier#PREFIX}…. */
    public String id;
    public String runId;
    public String customerId;
    public String meter;
    public String eventName;
    public long windowStart;
    public long amount;
    /** Event timestamp sent to Stripe (inside the window). */
    public long timestamp;
    /** What the ledger said was sent, and what Stripe showed, when the correction was decided. */
    public long ledger;
    public double stripeBefore;
    /** {@code pending}, {@code delivered} or {@code failed}. */
    public String status;
    public String lastError;
    public Instant created;
    public Instant updated;
}
