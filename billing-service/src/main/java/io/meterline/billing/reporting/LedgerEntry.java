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
    /** Deltas Stripe has for this window, oldest first (recorded since reconciliation; at most {@value #HISTORY}). */
    public java.util.List<Delta> history = new java.util.ArrayList<>();

    /**
     * Deltas a v2 meter event stream accepted and Stripe has not yet validated (state {@code accepted}): already
     * counted in {@code reported}, confirmed into {@code history} once past the error window without an error report,
     * or taken back out of {@code reported} when a report names their identifier (docs/decisions/0141).
     */
    public java.util.List<Accepted> accepted = new java.util.ArrayList<>();

    static final int HISTORY = 50;

    /** A delta accepted by the stream: as {@link Delta}, plus what {@code reported} was before it. */
    public record Accepted(String identifier, long amount, long timestamp, long acceptedAt, long previousReported) {
    }

    /** One delivered delta: its identifier, amount, event timestamp (epoch s) and when Stripe took it (epoch ms). */
    public record Delta(String identifier, long amount, long timestamp, long deliveredAt) {
    }

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
        remember(new Delta(pending.identifier(), pending.amount(), pending.timestamp(), System.currentTimeMillis()));
        advance();
    }

    /** A v2 stream took the pending delta; Stripe validates it later. Counted as reported until an error report says not. */
    public void accepted(long nowMillis) {
        accepted.add(new Accepted(pending.identifier(), pending.amount(), pending.timestamp(), nowMillis, reported));
        advance();
    }

    /** No error report named the accepted delta within the error window: Stripe has it. */
    public void confirmed(Accepted delta) {
        accepted.remove(delta);
        remember(new Delta(delta.identifier(), delta.amount(), delta.timestamp(), delta.acceptedAt()));
    }

    /**
     * Stripe reported the accepted delta as invalid: it did not count, so its amount goes back to planning. The
     * sequence stays advanced, so the next delta of this window gets a new identifier (Stripe ignores a known one).
     * For a gauge only the latest value matters: a refused older value changes nothing.
     */
    public void refused(Accepted delta, boolean gauge, String error) {
        accepted.remove(delta);
        if (!gauge) {
            reported -= delta.amount();
        } else if (delta.identifier().equals(lastIdentifier)) {
            reported = delta.previousReported();
        }
        lastError = error;
    }

    private void remember(Delta delta) {
        history.add(delta);
        if (history.size() > HISTORY) {
            history.remove(0);
        }
    }

    private void advance() {
        reported = pending.newReported();
        sequence = pending.newSequence();
        lastIdentifier = pending.identifier();
        customerId = pending.customerId();
        pending = null;
        lastError = null;
    }
}
