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
    /** {@code schedule} or {@code manual}. */
    public String trigger;
    /** {@code running}, {@code completed}, or {@code aborted} (the run stopped early, e.g. it lost its lease). */
    public String status;
    public Instant started;
    public Instant finished;
    public boolean dryRun;
    public String stripeApiBase;
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
    /** HTTP calls to Stripe during the run, retries included. */
    public long stripeCalls;
    public List<ReportError> errors = new ArrayList<>();
    public String abortReason;

    /** One failed delta, with Stripe's own message. */
    public record ReportError(String meter, String subject, Instant window, String customer, String identifier,
            Integer status, String code, String message) {
    }

    void skip(SkipReason reason) {
        skipped.merge(reason.code(), 1L, Long::sum);
    }

    long skippedTotal() {
        return skipped.values().stream().mapToLong(Long::longValue).sum();
    }
}
