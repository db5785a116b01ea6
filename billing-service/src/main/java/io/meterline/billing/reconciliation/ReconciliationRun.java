package io.meterline.billing.reconciliation;

import org.bson.codecs.pojo.annotations.BsonIgnore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One reconciliation run against Stripe (collection {@code reconciliation_runs}); answered by
 * {@code /admin/reconciliations/{id}} together with a page of the windows that differ.
 */
public class ReconciliationRun {
    public String id;
    /** {@code schedule} or {@code manual}. */
    public String trigger;
    /** {@code running}, {@code completed} or {@code aborted}. */
    public String status;
    public boolean dryRun;
    public Instant from;
    public Instant to;
    /** Optional filters: a subject or Stripe customer id, a meter key. */
    public String customer;
    public String meter;
    public Instant started;
    public Instant finished;
    /** Windows per class ({@code match}, {@code under_reported}, …): every window compared is in exactly one. */
    public Map<String, Long> counts = new TreeMap<>();
    /** Units per meter: what Stripe lacks ({@code under}) and has in excess ({@code over}). */
    public Map<String, Drift> drift = new TreeMap<>();
    /** Windows not {@code match} (listed page by page with the run). */
    public long differing;
    /** Corrections sent (and accepted by Stripe) for under-reported windows. */
    public long corrected;
    public long correctionUnits;
    public long correctionsFailed;
    /** Corrections an earlier run recorded and may not have sent, sent again first with their identifier. */
    public long pendingCorrectionsResent;
    /** Event-summary calls (one list per customer and meter, paginated) and all Stripe HTTP calls of the run. */
    public long summaryLists;
    public long stripeCalls;
    public List<String> errors = new ArrayList<>();
    public String abortReason;

    /** A page of the differing windows, filled in when the run is read. */
    @BsonIgnore
    public List<ReconciliationWindow> windows;
    @BsonIgnore
    public Integer page;
    @BsonIgnore
    public Integer size;

    /** Units of drift of one meter. */
    public static class Drift {
        public long under;
        public long over;
        public long overWindows;
        public long unknownWindows;
    }

    void count(WindowClass windowClass) {
        counts.merge(windowClass.code(), 1L, Long::sum);
    }

    Drift drift(String meterKey) {
        return drift.computeIfAbsent(meterKey, k -> new Drift());
    }
}
