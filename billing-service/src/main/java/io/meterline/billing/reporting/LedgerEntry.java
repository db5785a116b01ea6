package io.meterline.billing.reporting;

import org.bson.codecs.pojo.annotations.BsonId;

import java.util.Date;

/**
 * What Stripe has of one (meter, subject, hour): {@code reported} (the amount Stripe holds for a summing meter,
 * the last value sent for a gauge), how many deltas were sent ({@code sequence}), and a {@code pending} delta
 * written <em>before</em> it is sent. A pending delta survives a crash: the next run sends it again as it was
 * recorded (same identifier, same amount), and Stripe's identifier dedupe makes that safe.
 */
public class LedgerEntry {
    @BsonId
    public String id;
    public String meter;
    public String subject;
    /** Epoch second the hour starts at. */
    public long windowStart;
    public String customerId;
    public long reported;
    public long sequence;
    public String lastIdentifier;
    public Pending pending;
    public String lastError;
    public Date updatedAt;

    /** A delta on its way to Stripe, and the ledger state once Stripe has it. */
    public record Pending(String identifier, String customerId, String eventName, long amount, long timestamp,
            long newReported, long newSequence) {
    }

    public static LedgerEntry empty(WindowView window) {
        LedgerEntry entry = new LedgerEntry();
        entry.id = window.ledgerId();
        entry.meter = window.meter();
        entry.subject = window.subject();
        entry.windowStart = window.windowStart();
        return entry;
    }

    /** Stripe has the pending delta (accepted now, or earlier: a duplicate identifier). */
    public void delivered() {
        reported = pending.newReported();
        sequence = pending.newSequence();
        lastIdentifier = pending.identifier();
        customerId = pending.customerId();
        pending = null;
        lastError = null;
    }
}
