package io.meterline.billing.usage;

import io.meterline.billing.config.MongoCollections;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.WriteModel;
import io.meterline.billing.aggregation.WindowState;
import io.meterline.billing.aggregation.WindowTotal;
import io.meterline.model.usage.UsageWindowDocument;
import io.meterline.model.usage.Windows;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.bson.conversions.Bson;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Hourly window documents ({@link UsageWindowDocument}, collection {@code usage_windows}). Writes are idempotent
 * and monotonic: a document is replaced only by a higher version (compare-and-set on the version read, with
 * single-document atomic operations and unique keys only: no transactions).
 */
@ApplicationScoped
public class UsageWindowRepository {

    private static final int DUPLICATE_KEY = 11000;
    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);

    private final MongoCollection<UsageWindowDocument> windows;
    private final WindowChangeRepository changes;

    public UsageWindowRepository(MongoCollections collections, WindowChangeRepository changes) {
        this.windows = collections.collection(UsageWindowDocument.COLLECTION, UsageWindowDocument.class);
        this.changes = changes;
        // lets the compare-and-set filter {_id, version} use an index (see upsertAll)
        windows.createIndex(Indexes.ascending("_id", "version"), new IndexOptions().unique(true));
    }

    /**
     * Writes the totals (at most one per window id); returns how many were stale (a newer or equal version was
     * already stored). Compare-and-set per window: take the stored versions from {@code written} (window id →
     * version this caller last wrote, updated here with what this call writes) or read them by {@code _id}, insert
     * absent windows, replace present ones on {@code {_id, version: <version known>}}, then re-read and retry the
     * windows another writer changed in between. Versions only grow, so a remembered version is at most the stored
     * one: where another writer has written since, the compare-and-set misses and the window is read and retried as
     * in any race. Every filter is served by a unique index ({@code _id}, {@code (_id, version)}): the embedded dev
     * server scans the whole collection for any other filter shape.
     */
    public long upsertAll(Collection<WindowTotal> totals, Map<String, Long> written) {
        Map<String, WindowTotal> pending = new HashMap<>();
        totals.forEach(total -> pending.put(total.id(), total));
        long stale = 0;
        Date now = new Date();
        List<String> unknown = new ArrayList<>();
        Map<String, Long> stored = new HashMap<>(pending.size() * 2);
        for (String id : pending.keySet()) {
            Long version = written.get(id);
            if (version != null) {
                stored.put(id, version);
            } else {
                unknown.add(id);
            }
        }
        stored.putAll(versions(unknown));
        // ungrouped windows about to change are marked first, in one document, for reporting (see WindowChangeDocument)
        List<WindowChangeRepository.Mark> marks = new ArrayList<>();
        for (WindowTotal total : pending.values()) {
            Long version = stored.get(total.id());
            if (total.groupKey().isEmpty() && (version == null || version < total.version())) {
                marks.add(new WindowChangeRepository.Mark(total.id(), total.version()));
            }
        }
        changes.mark(marks);
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt > 20) {
                throw new IllegalStateException("window writes kept conflicting: " + pending.keySet());
            }
            List<WriteModel<UsageWindowDocument>> writes = new ArrayList<>(pending.size());
            for (Iterator<WindowTotal> iterator = pending.values().iterator(); iterator.hasNext(); ) {
                WindowTotal total = iterator.next();
                Long version = stored.get(total.id());
                if (version == null) {
                    writes.add(new InsertOneModel<>(toDocument(total, now)));
                } else if (version >= total.version()) {
                    if (attempt == 0) {
                        stale++;
                    }
                    iterator.remove();
                } else {
                    // a plain {_id, version} document, not Filters.and (which renders as {$and: [...]}): only this
                    // exact shape matches the unique (_id, version) index; $and made every write scan the collection
                    writes.add(new ReplaceOneModel<>(new Document("_id", total.id()).append("version", version),
                            toDocument(total, now)));
                }
            }
            if (writes.isEmpty()) {
                break;
            }
            try {
                BulkWriteResult result = windows.bulkWrite(writes, UNORDERED);
                if (result.getInsertedCount() + result.getMatchedCount() == writes.size()) {
                    // every insert and every compare-and-set hit: all pending windows are written, no re-read needed
                    pending.values().forEach(total -> written.put(total.id(), total.version()));
                    break;
                }
            } catch (MongoBulkWriteException e) {
                for (BulkWriteError error : e.getWriteErrors()) {
                    if (error.getCode() != DUPLICATE_KEY) {
                        throw e;
                    }
                }
                if (e.getWriteConcernError() != null) {
                    throw e;
                }
            }
            // what is stored now decides: written (version reached), superseded (higher), or lost a race (retry)
            stored = versions(pending.keySet());
            for (Iterator<WindowTotal> iterator = pending.values().iterator(); iterator.hasNext(); ) {
                WindowTotal total = iterator.next();
                Long version = stored.get(total.id());
                if (version != null && version >= total.version()) {
                    written.put(total.id(), version);
                    iterator.remove();
                }
            }
        }
        return stale;
    }

    private Map<String, Long> versions(Collection<String> ids) {
        Map<String, Long> versions = new HashMap<>(ids.size() * 2);
        if (ids.isEmpty()) {
            return versions;
        }
        MongoCollections.forEachById(windows, ids, new Document("version", 1),
                document -> versions.put(document.id, document.version));
        return versions;
    }

    /** Whether any window of the meter exists (a full scan at worst: the embedded server ignores secondary indexes). */
    public boolean anyForMeter(String meter) {
        return windows.find(Filters.eq("meter", meter)).projection(new Document("_id", 1)).limit(1).first() != null;
    }

    /**
     * The ungrouped hourly windows of one meter and subject starting in {@code [from, to)}: looked up by _id, the one
     * index every MongoDB (and the embedded server) serves.
     */
    public List<WindowState> findTotals(String meter, String subject, long fromMillis, long toMillis) {
        List<String> ids = new ArrayList<>();
        for (long hour = Windows.hourStartMillis(fromMillis); hour < toMillis; hour += Windows.HOUR_MILLIS) {
            ids.add(UsageWindowDocument.idOf(meter, subject, "", hour / 1000));
        }
        List<WindowState> found = new ArrayList<>(ids.size());
        MongoCollections.forEachById(windows, ids, null, document -> found.add(toState(document)));
        return found;
    }

    /** The grouped hourly windows (groupKey not "") of one meter and subject starting in {@code [from, to)}. */
    public List<WindowState> findGrouped(String meter, String subject, long fromMillis, long toMillis) {
        List<WindowState> found = new ArrayList<>();
        addAll(found, Filters.and(Filters.eq("meter", meter), Filters.eq("subject", subject),
                Filters.ne("groupKey", ""), Filters.gte("windowStart", new Date(fromMillis)),
                Filters.lt("windowStart", new Date(toMillis))));
        return found;
    }

    private void addAll(List<WindowState> found, Bson filter) {
        for (UsageWindowDocument document : windows.find(filter).batchSize(MongoCollections.READ_BATCH)) {
            found.add(toState(document));
        }
    }

    static UsageWindowDocument toDocument(WindowTotal total, Date now) {
        UsageWindowDocument document = new UsageWindowDocument();
        document.id = total.id();
        document.meter = total.meter();
        document.subject = total.subject();
        document.organization = total.organization();
        document.groupKey = total.groupKey();
        document.group = new LinkedHashMap<>(total.group());
        document.windowStart = new Date(total.windowStart());
        document.windowEnd = new Date(total.windowStart() + Windows.HOUR_MILLIS);
        document.aggregation = total.aggregation();
        document.value = total.value();
        document.eventCount = total.eventCount();
        document.version = total.version();
        document.updatedAt = now;
        document.sum = total.sum();
        document.min = total.min();
        document.max = total.max();
        document.lastTime = total.lastTime();
        document.lastValue = total.lastValue();
        document.uniques = List.copyOf(total.uniques());
        document.duplicates = total.duplicates();
        document.late = total.late();
        document.reconciled = total.reconciled();
        document.lateArrivals = total.lateArrivals() == null ? List.of() : total.lateArrivals().stream().map(a -> {
            UsageWindowDocument.LateArrival arrival = new UsageWindowDocument.LateArrival();
            arrival.arrivedAt = new Date(a[0]);
            arrival.eventTime = new Date(a[1]);
            return arrival;
        }).toList();
        return document;
    }

    static WindowState toState(UsageWindowDocument document) {
        WindowState state = new WindowState();
        state.meter = document.meter;
        state.subject = document.subject;
        state.organization = document.organization;
        state.groupKey = document.groupKey;
        state.group = document.group == null ? new LinkedHashMap<>() : new LinkedHashMap<>(document.group);
        state.windowStart = document.windowStart.getTime();
        state.aggregation = document.aggregation;
        state.count = document.eventCount;
        state.sum = document.sum;
        state.min = document.min;
        state.max = document.max;
        state.lastTime = document.lastTime;
        state.lastValue = document.lastValue;
        state.uniques = document.uniques == null ? new LinkedHashSet<>() : new LinkedHashSet<>(document.uniques);
        state.version = document.version;
        return state;
    }
}
