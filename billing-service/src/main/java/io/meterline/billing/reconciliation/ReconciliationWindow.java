package io.meterline.billing.reconciliation;

import java.time.Instant;
import java.util.List;

/**
 * One compared window, with its evidence (collection {@code reconciliation_windows}): kept per run for the windows
 * that differ, and as the latest verdict per (meter, subject, hour) for {@code /v1/usage/explain}.
 */
public class ReconciliationWindow {
    public String id;
    public String runId;
    public String customerId;
    public List<String> subjects;
    public String meter;
    public Instant windowStart;
    /** A {@link WindowClass} code. */
    public String windowClass;
    /** Meterline's billable whole units, what the ledger says was sent, and Stripe's summary (null: unknown). */
    public long meterline;
    public long ledger;
    public Double stripe;
    /** {@code stripe - ledger} when Stripe is known. */
    public Long difference;
    public String skipReason;
    /** The last meter event identifier the ledger recorded (evidence for an over-report). */
    public String lastIdentifier;
    public String correctionIdentifier;
    /** {@code pending}, {@code delivered}, {@code failed}, or {@code dry_run} (it would have been sent). */
    public String correctionStatus;
    public Instant checkedAt;
}
