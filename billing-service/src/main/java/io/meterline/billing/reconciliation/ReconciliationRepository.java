package io.meterline.billing.reconciliation;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.WriteModel;
import io.meterline.billing.config.MongoCollections;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reconciliation's own collections: runs, compared windows (per run, and the latest verdict per meter, subject and
 * hour), and corrections. Typed POJO collections; only the run holding the reconciliation lease writes them.
 */
@ApplicationScoped
public class ReconciliationRepository {

    public static final String RUNS = "reconciliation_runs";
    public static final String WINDOWS = "reconciliation_windows";
    public static final String LATEST_WINDOWS = "reconciliation_latest";
    public static final String CORRECTIONS = "reconciliation_corrections";
    private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);
    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);

    private final MongoCollection<ReconciliationRun> runs;
    private final MongoCollection<ReconciliationWindow> windows;
    private final MongoCollection<ReconciliationWindow> latest;
    private final MongoCollection<Correction> corrections;

    public ReconciliationRepository(MongoCollections collections) {
        this.runs = collections.collection(RUNS, ReconciliationRun.class);
        this.windows = collections.collection(WINDOWS, ReconciliationWindow.class);
        this.latest = collections.collection(LATEST_WINDOWS, ReconciliationWindow.class);
        this.corrections = collections.collection(CORRECTIONS, Correction.class);
    }

    public void save(ReconciliationRun run) {
        runs.replaceOne(Filters.eq("_id", run.id), run, UPSERT);
    }

    public ReconciliationRun find(String id) {
        return runs.find(Filters.eq("_id", id)).first();
    }

    public List<ReconciliationRun> recent(int limit) {
        return runs.find().sort(Sorts.descending("started")).limit(limit).into(new ArrayList<>());
    }

    /** The latest completed run over every customer and meter (the one "not run lately" is judged by), or null. */
    public ReconciliationRun lastComplete() {
        return runs.find(Filters.and(Filters.eq("status", "completed"), Filters.eq("customer", null), Filters.eq("meter", null)))
                .sort(Sorts.descending("finished")).limit(1).first();
    }

    /** Windows of a run that differ, in the order they were found. */
    public List<ReconciliationWindow> windowsOf(String runId, int page, int size) {
        return windows.find(Filters.eq("runId", runId)).sort(Sorts.ascending("_id")).skip(page * size).limit(size)
                .into(new ArrayList<>());
    }

    /** The differing windows of a run, and the latest verdict per (meter, subject, hour) of every window compared. */
    public void saveWindows(Collection<ReconciliationWindow> differing, Collection<ReconciliationWindow> latestVerdicts) {
        save(windows, differing);
        save(latest, latestVerdicts);
    }

    private static void save(MongoCollection<ReconciliationWindow> collection, Collection<ReconciliationWindow> found) {
        if (found.isEmpty()) {
            return;
        }
        List<WriteModel<ReconciliationWindow>> writes = new ArrayList<>(found.size());
        for (ReconciliationWindow window : found) {
            writes.add(new ReplaceOneModel<>(Filters.eq("_id", window.id), window, UPSERT));
        }
        collection.bulkWrite(writes, UNORDERED);
    }

    /** The latest verdict for one subject's window, or null when no run looked at it. */
    public ReconciliationWindow latest(String meter, String subject, long windowStart) {
        return latest.find(Filters.eq("_id", latestId(meter, subject, windowStart))).first();
    }

    static String latestId(String meter, String subject, long windowStart) {
        return meter + "|" + subject + "|" + windowStart;
    }

    public void saveCorrections(Collection<Correction> found) {
        if (found.isEmpty()) {
            return;
        }
        List<WriteModel<Correction>> writes = new ArrayList<>(found.size());
        for (Correction correction : found) {
            writes.add(new ReplaceOneModel<>(Filters.eq("_id", correction.id), correction, UPSERT));
        }
        corrections.bulkWrite(writes, UNORDERED);
    }

    /** Corrections of windows starting at or after {@code fromEpochSecond}. */
    public List<Correction> correctionsSince(long fromEpochSecond) {
        return corrections.find(Filters.gte("windowStart", fromEpochSecond)).into(new ArrayList<>());
    }

    public List<Correction> correctionsOf(String customerId, String meter, long windowStart) {
        return corrections.find(Filters.eq("windowStart", windowStart)).into(new ArrayList<>()).stream()
                .filter(c -> c.customerId.equals(customerId) && c.meter.equals(meter)).toList();
    }
}
