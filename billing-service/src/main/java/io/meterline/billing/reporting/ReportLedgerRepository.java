package io.meterline.billing.reporting;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import io.meterline.billing.config.MongoCollections;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

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

    private final MongoCollection<Document> ledger;

    public ReportLedgerRepository(MongoCollections collections) {
        this.ledger = collections.collection(COLLECTION);
    }

    /** Entries of windows starting at or after {@code fromEpochSecond}, by id. */
    public Map<String, LedgerEntry> loadSince(long fromEpochSecond) {
        Map<String, LedgerEntry> entries = new HashMap<>();
        for (Document document : ledger.find(Filters.gte("windowStart", new Date(fromEpochSecond * 1000)))) {
            LedgerEntry entry = toDomain(document);
            entries.put(entry.id, entry);
        }
        return entries;
    }

    public LedgerEntry find(String id) {
        Document document = ledger.find(Filters.eq("_id", id)).first();
        return document == null ? null : toDomain(document);
    }

    public void saveAll(Collection<LedgerEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        List<WriteModel<Document>> writes = new ArrayList<>(entries.size());
        Date now = new Date();
        for (LedgerEntry entry : entries) {
            writes.add(new ReplaceOneModel<>(Filters.eq("_id", entry.id), toDocument(entry, now), UPSERT));
        }
        ledger.bulkWrite(writes, UNORDERED);
    }

    private static Document toDocument(LedgerEntry entry, Date now) {
        Document document = new Document("_id", entry.id)
                .append("meter", entry.meter)
                .append("subject", entry.subject)
                .append("windowStart", new Date(entry.windowStart * 1000))
                .append("customerId", entry.customerId)
                .append("reported", entry.reported)
                .append("sequence", entry.sequence)
                .append("lastIdentifier", entry.lastIdentifier)
                .append("lastError", entry.lastError)
                .append("updatedAt", now);
        LedgerEntry.Pending p = entry.pending;
        document.append("pending", p == null ? null : new Document("identifier", p.identifier())
                .append("customerId", p.customerId())
                .append("eventName", p.eventName())
                .append("amount", p.amount())
                .append("timestamp", p.timestamp())
                .append("newReported", p.newReported())
                .append("newSequence", p.newSequence()));
        return document;
    }

    private static LedgerEntry toDomain(Document document) {
        LedgerEntry entry = new LedgerEntry();
        entry.id = document.getString("_id");
        entry.meter = document.getString("meter");
        entry.subject = document.getString("subject");
        entry.windowStart = document.getDate("windowStart").getTime() / 1000;
        entry.customerId = document.getString("customerId");
        entry.reported = number(document, "reported");
        entry.sequence = number(document, "sequence");
        entry.lastIdentifier = document.getString("lastIdentifier");
        entry.lastError = document.getString("lastError");
        Document p = document.get("pending", Document.class);
        if (p != null) {
            entry.pending = new LedgerEntry.Pending(p.getString("identifier"), p.getString("customerId"),
                    p.getString("eventName"), number(p, "amount"), number(p, "timestamp"), number(p, "newReported"),
                    number(p, "newSequence"));
        }
        return entry;
    }

    private static long number(Document document, String field) {
        Object value = document.get(field);
        return value instanceof Number n ? n.longValue() : 0;
    }
}
