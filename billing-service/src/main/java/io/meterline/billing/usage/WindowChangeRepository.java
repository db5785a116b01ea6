package io.meterline.billing.usage;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import io.meterline.billing.config.MongoCollections;
import io.meterline.model.usage.WindowChangeDocument;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.bson.types.ObjectId;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

import static io.meterline.model.usage.WindowChangeDocument.MARKS;
import static io.meterline.model.usage.WindowChangeDocument.VERSION;
import static io.meterline.model.usage.WindowChangeDocument.WINDOW;

/**
 * Marks of ungrouped windows changed since a reporting run last settled them ({@link WindowChangeDocument}): one
 * document per write, listing every window of it with the version written, and whether the marks are complete: they
 * are from the first completed full run on (before it, windows written by an earlier version of Meterline have none).
 * Documents are inserted whole and deleted by {@code _id} (those of the earlier shape, one per window, by the
 * {@code (_id, version)} they were read with): the only access paths the embedded dev server serves without a
 * collection scan.
 */
@ApplicationScoped
public class WindowChangeRepository {

    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);
    private static final String STATE = "report_state";
    private static final String TRACKING = "window_changes";

    private final MongoCollection<Document> changes;
    private final MongoCollection<Document> state;

    public WindowChangeRepository(MongoCollections collections) {
        this.changes = collections.collection(WindowChangeDocument.COLLECTION);
        this.state = collections.collection(STATE);
        // serves the conditional delete of marks of the earlier shape (one document per window)
        changes.createIndex(Indexes.ascending("_id", VERSION), new IndexOptions().unique(true));
    }

    /** A window about to be written at {@code version}. */
    public record Mark(String windowId, long version) {
    }

    /**
     * The marks a run read: each marked window's highest marked version, and the documents they came from (which
     * {@link #settle} deletes or shortens).
     */
    public static final class Marks {
        private final Map<String, Long> versions = new HashMap<>();
        private final List<MarkDocument> documents = new ArrayList<>();

        /** Window id → highest marked version. */
        public Map<String, Long> versions() {
            return versions;
        }

        private void add(MarkDocument document) {
            documents.add(document);
            document.marks().forEach((window, version) -> versions.merge(window, version, Math::max));
        }
    }

    /** One mark document as read: its id, its marks, and whether it has the earlier one-window shape. */
    private record MarkDocument(Object id, Map<String, Long> marks, boolean single) {
    }

    /** Marks windows before they are written: one document per {@link WindowChangeDocument#MARKS_PER_DOCUMENT}. */
    public void mark(Collection<Mark> marks) {
        mark(changes, marks);
    }

    /** The same marks on a database directly (for writers that are not this service: seeds in tests). */
    public static void mark(MongoDatabase database, Collection<Mark> marks) {
        mark(database.getCollection(WindowChangeDocument.COLLECTION), marks);
    }

    /** Every mark on a database (for tests that check what is marked). */
    public static Marks all(MongoDatabase database) {
        return all(database.getCollection(WindowChangeDocument.COLLECTION));
    }

    private static void mark(MongoCollection<Document> changes, Collection<Mark> marks) {
        if (marks.isEmpty()) {
            return;
        }
        List<Document> entries = marks.stream().map(mark -> entry(mark.windowId(), mark.version())).toList();
        List<Document> documents = new ArrayList<>();
        for (int from = 0; from < entries.size(); from += WindowChangeDocument.MARKS_PER_DOCUMENT) {
            documents.add(markDocument(entries.subList(from,
                    Math.min(entries.size(), from + WindowChangeDocument.MARKS_PER_DOCUMENT))));
        }
        changes.insertMany(documents);
    }

    private static Document entry(String window, long version) {
        return new Document(WINDOW, window).append(VERSION, version);
    }

    private static Document markDocument(List<Document> entries) {
        return new Document("_id", new ObjectId()).append(MARKS, entries);
    }

    /** Every mark: each marked window's highest version, and the documents to settle. */
    public Marks all() {
        return all(changes);
    }

    private static Marks all(MongoCollection<Document> changes) {
        Marks marks = new Marks();
        for (Document document : changes.find().batchSize(MongoCollections.READ_BATCH)) {
            List<Document> entries = document.getList(MARKS, Document.class);
            if (entries == null) {
                // the earlier shape: one document per window, its id the window's
                marks.add(new MarkDocument(document.get("_id"),
                        Map.of(document.getString("_id"), ((Number) document.get(VERSION)).longValue()), true));
                continue;
            }
            Map<String, Long> listed = new HashMap<>(entries.size() * 2);
            for (Document entry : entries) {
                listed.merge(entry.getString(WINDOW), ((Number) entry.get(VERSION)).longValue(), Math::max);
            }
            marks.add(new MarkDocument(document.get("_id"), listed, false));
        }
        return marks;
    }

    /**
     * Settles what a run read: a document whose every mark {@code settled} accepts (window id, marked version) is
     * deleted; one with some accepted is replaced by a document holding the others (inserted before the old one is
     * deleted, so a crash in between leaves marks twice, never none); one with none accepted stays. A document of the
     * earlier shape is deleted only if it still has the version read. Returns how many documents were written.
     */
    public int settle(Marks marks, BiPredicate<String, Long> settled) {
        List<Document> rest = new ArrayList<>();
        List<WriteModel<Document>> deletes = new ArrayList<>();
        for (MarkDocument document : marks.documents) {
            List<Document> left = new ArrayList<>();
            document.marks().forEach((window, version) -> {
                if (!settled.test(window, version)) {
                    left.add(entry(window, version));
                }
            });
            if (left.size() == document.marks().size()) {
                continue;
            }
            if (document.single()) {
                // a plain {_id, version} document: the shape the unique (_id, version) index serves
                deletes.add(new DeleteOneModel<>(new Document("_id", document.id())
                        .append(VERSION, document.marks().values().iterator().next())));
                continue;
            }
            if (!left.isEmpty()) {
                rest.add(markDocument(left));
            }
            deletes.add(new DeleteOneModel<>(new Document("_id", document.id())));
        }
        if (!rest.isEmpty()) {
            changes.insertMany(rest);
        }
        if (!deletes.isEmpty()) {
            changes.bulkWrite(deletes, UNORDERED);
        }
        return rest.size() + deletes.size();
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
