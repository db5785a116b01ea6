package io.meterline.billing.balance;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import io.meterline.billing.config.MongoCollections;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.RechargePaymentDocument;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Balances, their history, usage charges and recharge payments, as typed documents. Every conditional write is a
 * replace on a plain {@code {_id, <counter>}} document served by a unique index: the embedded Mongo-wire server
 * serves no other filter shape from an index ({@code Filters.and} renders as {@code $and} and scans), and there are
 * no transactions: each write stands alone.
 */
@ApplicationScoped
public class BalanceRepository {

    private final MongoCollection<BalanceDocument> balances;
    private final MongoCollection<MovementDocument> history;
    private final MongoCollection<UsageChargeDocument> charges;
    private final MongoCollection<RechargePaymentDocument> payments;

    public BalanceRepository(MongoCollections collections) {
        this.balances = collections.collection(BalanceDocument.COLLECTION).withDocumentClass(BalanceDocument.class);
        this.history = collections.collection(MovementDocument.COLLECTION).withDocumentClass(MovementDocument.class);
        this.charges = collections.collection(UsageChargeDocument.COLLECTION).withDocumentClass(UsageChargeDocument.class);
        this.payments = collections.collection(BillingCollections.RECHARGE_PAYMENTS)
                .withDocumentClass(RechargePaymentDocument.class);
        unique(collections, BalanceDocument.COLLECTION, "version");
        unique(collections, UsageChargeDocument.COLLECTION, "rev");
        unique(collections, BillingCollections.RECHARGE_PAYMENTS, "revision");
    }

    private static void unique(MongoCollections collections, String collection, String counter) {
        collections.collection(collection).createIndex(Indexes.ascending("_id", counter), new IndexOptions().unique(true));
    }

    // ------------------------------------------------------------------ balances

    public BalanceDocument find(String id) {
        return balances.find(new Document("_id", id)).first();
    }

    /** The stored balances among {@code ids}, by id, in one query ({@code $in} on {@code _id} is served by its index). */
    public java.util.Map<String, BalanceDocument> findAll(List<String> ids) {
        java.util.Map<String, BalanceDocument> found = new java.util.HashMap<>();
        if (ids.size() == 1) {
            BalanceDocument document = find(ids.get(0));
            if (document != null) {
                found.put(document.id, document);
            }
            return found;
        }
        for (BalanceDocument document : balances.find(Filters.in("_id", ids))) {
            found.put(document.id, document);
        }
        return found;
    }

    /**
     * The stored versions of the balances among {@code ids}, by id, in one query that returns nothing else: a balance
     * document carries its key filter and pending movements (several KB), a version is one number.
     */
    public java.util.Map<String, Long> versions(List<String> ids) {
        java.util.Map<String, Long> found = new java.util.HashMap<>();
        org.bson.conversions.Bson filter = ids.size() == 1 ? new Document("_id", ids.get(0)) : Filters.in("_id", ids);
        for (Document document : balances.withDocumentClass(Document.class).find(filter)
                .projection(new Document("version", 1))) {
            found.put(document.getString("_id"), ((Number) document.get("version")).longValue());
        }
        return found;
    }

    public List<BalanceDocument> all() {
        return balances.find().into(new ArrayList<>());
    }

    /**
     * Every balance without its key filter (its largest field, 4 KB), for the background scans that only look
     * (entitlement cache, sweeps): these copies have {@code keyFilter == null} and must never be written back — a
     * write always starts from a fresh {@link #find} (0118).
     */
    public List<BalanceDocument> scan() {
        return balances.find().projection(new Document("keyFilter", 0)).into(new ArrayList<>());
    }

    /** Inserts a new balance; false if one with this id exists already. */
    public boolean insert(BalanceDocument document) {
        try {
            balances.insertOne(document);
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    /** Replaces the balance if it is still at {@code expectedVersion} (the document carries the next version). */
    public boolean replace(BalanceDocument document, long expectedVersion) {
        return balances.replaceOne(new Document("_id", document.id).append("version", expectedVersion), document)
                .getMatchedCount() == 1;
    }

    /**
     * Several compare-and-set replaces in one unordered bulk write; answer {@code i} says whether replace {@code i}
     * matched. The write protocol reports only totals for matches, so each replace is an upsert: one whose
     * {@code {_id, version}} no longer matches tries to insert a second document with that {@code _id}, which the
     * unique {@code _id} index refuses with a duplicate-key error naming that replace's index — a lost
     * compare-and-set, and nothing written. (A balance is never deleted, so the insert never succeeds.) Any other
     * error fails the call.
     */
    public List<Boolean> replaceAll(List<BalanceDocument> documents, List<Long> expectedVersions) {
        List<Boolean> applied = new ArrayList<>(java.util.Collections.nCopies(documents.size(), Boolean.TRUE));
        if (documents.size() == 1) {
            applied.set(0, replace(documents.get(0), expectedVersions.get(0)));
            return applied;
        }
        List<ReplaceOneModel<BalanceDocument>> writes = new ArrayList<>(documents.size());
        ReplaceOptions upsert = new ReplaceOptions().upsert(true);
        for (int i = 0; i < documents.size(); i++) {
            BalanceDocument document = documents.get(i);
            writes.add(new ReplaceOneModel<>(new Document("_id", document.id).append("version", expectedVersions.get(i)),
                    document, upsert));
        }
        try {
            balances.bulkWrite(writes, new BulkWriteOptions().ordered(false));
        } catch (MongoBulkWriteException e) {
            for (BulkWriteError error : e.getWriteErrors()) {
                if (ErrorCategory.fromErrorCode(error.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
                applied.set(error.getIndex(), Boolean.FALSE);
            }
        }
        return applied;
    }

    // ------------------------------------------------------------------ history

    public MovementDocument movement(String id) {
        return history.find(new Document("_id", id)).first();
    }

    /** Appends movements in one unordered insert; copies already there (same id) are skipped, not errors. */
    public void appendAll(List<MovementDocument> movements) {
        if (movements.isEmpty()) {
            return;
        }
        try {
            history.insertMany(movements, new InsertManyOptions().ordered(false));
        } catch (MongoBulkWriteException e) {
            for (BulkWriteError error : e.getWriteErrors()) {
                if (ErrorCategory.fromErrorCode(error.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
            }
        }
    }

    /** An account's history, oldest first (a scan on the embedded server; for audits and tests, not hot paths). */
    public List<MovementDocument> history(String account) {
        List<MovementDocument> found = history.find(Filters.eq("account", account)).into(new ArrayList<>());
        found.sort(Comparator.comparingLong(m -> m.sequence));
        return found;
    }

    // ------------------------------------------------------------------ usage charges

    public UsageChargeDocument charge(String windowId) {
        return charges.find(new Document("_id", windowId)).first();
    }

    public boolean insertCharge(UsageChargeDocument document) {
        try {
            charges.insertOne(document);
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    public boolean replaceCharge(UsageChargeDocument document, long expectedRev) {
        return charges.replaceOne(new Document("_id", document.id).append("rev", expectedRev), document)
                .getMatchedCount() == 1;
    }

    // ------------------------------------------------------------------ recharge payments (written by webhook-service)

    /** Payments with news billing has not acted on (a scan: the collection holds one document per recharge). */
    public List<RechargePaymentDocument> unhandledPayments() {
        return payments.find(Filters.eq("handled", false)).into(new ArrayList<>());
    }

    /** Marks a payment handled unless webhook-service wrote news since it was read ({@code revision} moved on). */
    public boolean markHandled(String id, long revision) {
        return payments.updateOne(new Document("_id", id).append("revision", revision),
                new Document("$set", new Document("handled", true))).getMatchedCount() == 1;
    }
}
