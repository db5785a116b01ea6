package io.meterline.billing.reporting;

import io.quarkus.mongodb.panache.common.MongoEntity;
import org.bson.codecs.pojo.annotations.BsonId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One reporting run, as stored (collection {@code report_runs}) and answered by {@code /admin/report-runs}.
 * Every window examined ends up in exactly one of {@code reported}, {@code skipped} (by reason) or
 * {@code failed}, so {@code total = reported + failed + sum(skipped)}. In a dry-run {@code reported} counts what
 * would have been sent.
 */
@MongoEntity(collection = ReportRunRepository.COLLECTION)
public class ReportRun {
    @BsonId
    public String id;
    /** {@code schedule} or {@code manual}; {@code admin} for the record of a broken lease. */
    public String trigger;
    /**
     * {@code running}, {@code completed}, or {@code aborted} (the run stopped early: {@link #abortReason} says why);
     * {@code lease_broken} for the audit record of an admin breaking the lease.
     */
    public String status;
    /** Instance and run holding the reporting lease while the run works ({@code <instance>/<run id>}). */
    public String owner;
    public Instant started;
    public Instant finished;
    public boolean dryRun;
    public String stripeApiBase;
    /**
     * {@code changed}: the run read only windows marked as changed since a run last settled them; {@code full}: it
     * read every window of the last 36 days (asked for, or the first run before the marks are complete).
     */
    public String scope;
    /** Windows marked as changed when the run started. */
    public long changedWindows;
    /** Windows the run examined (read and planned). */
    public long total;
    public long reported;
    /** Whole units reported (or, in a dry-run, that would be). */
    public long reportedValue;
    public Map<String, Long> skipped = new TreeMap<>();
    public long failed;
    /** Deltas of earlier runs that were in flight (sent, outcome unknown) and were sent again with their identifier. */
    public long pendingResent;
    /** Stripe's "already exists" answers: deltas Stripe already had, counted as delivered. */
    public long duplicates;
    /** {@code v1} (a call per delta) or {@code v2} (meter event streams; docs/decisions/0141). */
    public String transport;
    /** v2: deltas the stream accepted in this run (state {@code accepted}: Stripe validates them later). */
    public long accepted;
    /** v2: accepted deltas of earlier runs confirmed as delivered (past the error window, no error report). */
    public long confirmed;
    /** v2: accepted deltas of earlier runs an error report named: sent back to planning with a new identifier. */
    public long refusedLater;
    /**
     * Documents the run wrote to MongoDB for reporting (ledger entries, v2 stream requests, change marks; deletes
     * included): what bounds a v2 run on one MongoDB (docs/decisions/0142).
     */
    public long documentsWritten;
    /** HTTP calls to Stripe during the run, retries included. */
    public long stripeCalls;
    public List<ReportError> errors = new ArrayList<>();
    /** Subjects skipped as {@code customer_not_synced} (Stripe has their customer, Meterline does not): a sample. */
    public List<String> customersNotSynced = new ArrayList<>();
    /**
     * Why a run was aborted: {@code owner_lost} (its instance died: found by a later run or the orphan sweep),
     * {@code lease_lost} (it stalled past its lease), {@code lease_broken} (an admin broke its lease), or
     * {@code error}.
     */
    public String abortReason;
    /** The abort in words. */
    public String abortDetail;
    /** Who broke the lease (for {@code lease_broken}). */
    public String brokenBy;

    /** Abort reasons. */
    public static final String OWNER_LOST = "owner_lost";
    public static final String LEASE_LOST = "lease_lost";
    public static final String LEASE_BROKEN = "lease_broken";
    public static final String ERROR = "error";

    /** One failed delta, with Stripe's own message. */
    public record ReportError(String meter, String subject, Instant window, String customer, String identifier,
            Integer status, String code, String message) {
    }

    void skip(SkipReason reason) {
        skipped.merge(reason.code(), 1L, Long::sum);
    }

    void moveSkips(SkipReason from, SkipReason to, long n) {
        skipped.computeIfPresent(from.code(), (k, v) -> v - n == 0 ? null : v - n);
        skipped.merge(to.code(), n, Long::sum);
    }

    long skippedTotal() {
        return skipped.values().stream().mapToLong(Long::longValue).sum();
    }
}
