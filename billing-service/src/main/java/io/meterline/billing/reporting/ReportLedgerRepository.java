package io.meterline.billing.reporting;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import io.meterline.billing.config.MongoCollections;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The report ledger (collection {@value #COLLECTION}): per (meter, subject, hour) what Stripe has, and the delta
 * in flight. Only the reporter holding the lease writes it, so whole-document replaces by {@code _id} are safe
 * without transactions.
 */
@ApplicationScoped
public class ReportLedgerRepository {

    public static final String COLLECTION = "report_ledger";
    private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);
    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);

    private final MongoCollection<LedgerEntry> ledger;

    public ReportLedgerRepository(MongoCollections collections) {
        this.ledger = collections.collection(COLLECTION, LedgerEntry.class);
    }

    /** Entries of windows starting at or after {@code fromEpochSecond}, by id. */
    public Map<String, LedgerEntry> loadSince(long fromEpochSecond) {
        Map<String, LedgerEntry> entries = new HashMap<>();
        for (LedgerEntry entry : ledger.find(Filters.gte("windowStart", fromEpochSecond)).batchSize(MongoCollections.READ_BATCH)) {
            entries.put(entry.id, entry);
        }
        return entries;
    }

    /** The entries with these ids, by id. */
    public Map<String, LedgerEntry> load(Collection<String> ids) {
        Map<String, LedgerEntry> entries = new HashMap<>();
        MongoCollections.forEachById(ledger, ids, null, entry -> entries.put(entry.id, entry));
        return entries;
    }

    public LedgerEntry find(String id) {
        return ledger.find(Filters.eq("_id", id)).first();
    }

    /** Whole-document replaces by {@code _id} (upserts), one unordered bulk write. */
    public void saveAll(Collection<LedgerEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        List<WriteModel<LedgerEntry>> writes = new ArrayList<>(entries.size());
        Date now = new Date();
        for (LedgerEntry entry : entries) {
            entry.updatedAt = now;
            writes.add(new ReplaceOneModel<>(Filters.eq("_id", entry.id), entry, UPSERT));
        }
        ledger.bulkWrite(writes, UNORDERED);
    }
}
