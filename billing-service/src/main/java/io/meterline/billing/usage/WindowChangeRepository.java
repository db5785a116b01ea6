package io.meterline.billing.usage;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import io.meterline.billing.config.MongoCollections;
import io.meterline.model.usage.WindowChangeDocument;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Marks of ungrouped windows changed since a reporting run last settled them ({@link WindowChangeDocument}), and
 * whether the marks are complete: they are from the first completed full run on (before it, windows written by an
 * earlier version of Meterline have none). Every filter is {@code _id}-shaped or served by the unique
 * {@code (_id, version)} index, the only access paths the embedded dev server serves without a collection scan.
 */
@ApplicationScoped
public class WindowChangeRepository {

    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);
    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);
    private static final String STATE = "report_state";
    private static final String TRACKING = "window_changes";

    private final MongoCollection<Document> changes;
    private final MongoCollection<Document> state;

    public WindowChangeRepository(MongoCollections collections) {
        this.changes = collections.collection(WindowChangeDocument.COLLECTION);
        this.state = collections.collection(STATE);
        changes.createIndex(Indexes.ascending("_id", "version"), new IndexOptions().unique(true));
    }

    /** A window about to be written at {@code version}. */
    public record Mark(String windowId, long version, long windowStartMillis) {
    }

    /** Marks windows before they are written. */
    public void mark(Collection<Mark> marks) {
        mark(changes, marks);
    }

    /** The same marks on a database directly (for writers that are not this service: seeds in tests). */
    public static void mark(MongoDatabase database, Collection<Mark> marks) {
        mark(database.getCollection(WindowChangeDocument.COLLECTION), marks);
    }

    private static void mark(MongoCollection<Document> changes, Collection<Mark> marks) {
        if (marks.isEmpty()) {
            return;
        }
        List<WriteModel<Document>> writes = new ArrayList<>(marks.size());
        for (Mark mark : marks) {
            writes.add(new UpdateOneModel<>(Filters.eq("_id", mark.windowId()), Updates.combine(
                    Updates.max("version", mark.version()),
                    Updates.setOnInsert("windowStart", new Date(mark.windowStartMillis()))), UPSERT));
        }
        changes.bulkWrite(writes, UNORDERED);
    }

    /** Every mark: window id → marked version. */
    public Map<String, Long> all() {
        Map<String, Long> marks = new HashMap<>();
        for (Document mark : changes.find().projection(new Document("version", 1)).batchSize(MongoCollections.READ_BATCH)) {
            marks.put(mark.getString("_id"), ((Number) mark.get("version")).longValue());
        }
        return marks;
    }

    /**
     * Deletes the marks of settled windows, each only if it still has the version read at the start of the run
     * (a window written again meanwhile stays marked).
     */
    public void settle(Map<String, Long> markedVersions) {
        if (markedVersions.isEmpty()) {
            return;
        }
        List<WriteModel<Document>> deletes = new ArrayList<>(markedVersions.size());
        // a plain {_id, version} document: the shape the unique (_id, version) index serves
        markedVersions.forEach((id, version) -> deletes.add(new DeleteOneModel<>(new Document("_id", id).append("version", version))));
        changes.bulkWrite(deletes, UNORDERED);
    }

    /** Whether every window not settled by a run is marked (true once a full run has completed). */
    public boolean complete() {
        return state.find(Filters.eq("_id", TRACKING)).first() != null;
    }

    /** Records that a full run completed: from now on a run reads only marked windows. */
    public void completed(Date by) {
        state.replaceOne(Filters.eq("_id", TRACKING), new Document("_id", TRACKING).append("completeSince", by),
                new ReplaceOptions().upsert(true));
    }
}
