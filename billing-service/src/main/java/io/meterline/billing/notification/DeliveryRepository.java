package io.meterline.billing.notification;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Webhook deliveries, a typed collection: inserts are idempotent by {@code _id}, state changes compare-and-set. */
@ApplicationScoped
public class DeliveryRepository {

    private static final int DUPLICATE_KEY = 11000;

    private final MongoCollection<DeliveryDocument> deliveries;

    public DeliveryRepository(MongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.deliveries = client.getDatabase(database).getCollection(DeliveryDocument.COLLECTION, DeliveryDocument.class);
        // the compare-and-set shape {_id, attempts}: a unique index so the dev server serves it without a scan
        deliveries.createIndex(Indexes.ascending("_id", "attempts"), new IndexOptions().unique(true));
        // used by a real MongoDB (the dev server ignores non-unique indexes)
        deliveries.createIndex(Indexes.ascending("status", "nextAttemptAt"));
        deliveries.createIndex(Indexes.ascending("endpointId", "createdAt"));
    }

    /** Inserts those not there yet; returns those that were new. */
    public List<DeliveryDocument> insertIfAbsent(List<DeliveryDocument> documents) {
        if (documents.isEmpty()) {
            return List.of();
        }
        try {
            deliveries.insertMany(documents, new InsertManyOptions().ordered(false));
            return documents;
        } catch (MongoBulkWriteException e) {
            java.util.Set<Integer> existing = new java.util.HashSet<>();
            for (BulkWriteError error : e.getWriteErrors()) {
                if (error.getCode() != DUPLICATE_KEY) {
                    throw e;
                }
                existing.add(error.getIndex());
            }
            List<DeliveryDocument> inserted = new ArrayList<>(documents.size() - existing.size());
            for (int i = 0; i < documents.size(); i++) {
                if (!existing.contains(i)) {
                    inserted.add(documents.get(i));
                }
            }
            return inserted;
        }
    }

    public List<DeliveryDocument> due(Date now, int limit) {
        return deliveries.find(new Document("status", DeliveryDocument.PENDING)
                .append("nextAttemptAt", new Document("$lte", now))).limit(limit).into(new ArrayList<>());
    }

    /**
     * Takes a chunk of deliveries for one attempt each: one unordered bulk of the same compare-and-set on
     * {@code {_id, attempts}} as a single claim would (also stamping {@code claimedBy}); only when fewer than all
     * applied, one read by {@code _id} of which ones carry the token. Those this call took are returned with their
     * attempt counted; the rest went to another instance (or changed) meanwhile.
     */
    public List<DeliveryDocument> claimAll(List<DeliveryDocument> chunk, Date claimedUntil, String claimToken) {
        if (chunk.isEmpty()) {
            return List.of();
        }
        List<WriteModel<DeliveryDocument>> claims = new ArrayList<>(chunk.size());
        List<String> ids = new ArrayList<>(chunk.size());
        for (DeliveryDocument delivery : chunk) {
            claims.add(new UpdateOneModel<>(cas(delivery.id, delivery.attempts), Updates.combine(Updates.inc("attempts", 1),
                    Updates.set("nextAttemptAt", claimedUntil), Updates.set("claimedBy", claimToken))));
            ids.add(delivery.id);
        }
        if (deliveries.bulkWrite(claims, new BulkWriteOptions().ordered(false)).getModifiedCount() == chunk.size()) {
            // every compare-and-set applied (one per distinct _id): all are ours, nothing to read back
            return new ArrayList<>(chunk);
        }
        Map<String, DeliveryDocument> byId = new HashMap<>();
        chunk.forEach(delivery -> byId.put(delivery.id, delivery));
        List<DeliveryDocument> claimed = new ArrayList<>(chunk.size());
        for (DeliveryDocument now : deliveries.find(Filters.in("_id", ids))
                .projection(Projections.include("attempts", "claimedBy"))) {
            DeliveryDocument read = byId.get(now.id);
            if (claimToken.equals(now.claimedBy) && read != null && now.attempts == read.attempts + 1) {
                claimed.add(read);
            }
        }
        return claimed;
    }

    /** An attempt's outcome, for {@link #finishAll}. */
    public record Outcome(String id, int attempt, DeliveryDocument.Attempt entry, String status, Date nextAttemptAt) {
    }

    /** Records each attempt's outcome unless the delivery was claimed again meanwhile: one unordered bulk write. */
    public void finishAll(List<Outcome> outcomes) {
        if (outcomes.isEmpty()) {
            return;
        }
        List<WriteModel<DeliveryDocument>> writes = new ArrayList<>(outcomes.size());
        for (Outcome outcome : outcomes) {
            writes.add(new UpdateOneModel<>(cas(outcome.id(), outcome.attempt()),
                    finishing(outcome.entry(), outcome.status(), outcome.nextAttemptAt())));
        }
        deliveries.bulkWrite(writes, new BulkWriteOptions().ordered(false));
    }

    private static Bson finishing(DeliveryDocument.Attempt entry, String status, Date nextAttemptAt) {
        List<Bson> updates = new ArrayList<>(List.of(Updates.set("status", status), Updates.push("log", entry),
                Updates.set("lastStatusCode", entry.statusCode), Updates.set("lastError", entry.error)));
        if (nextAttemptAt != null) {
            updates.add(Updates.set("nextAttemptAt", nextAttemptAt));
        }
        if (DeliveryDocument.DELIVERED.equals(status)) {
            updates.add(Updates.set("deliveredAt", entry.at));
        }
        return Updates.combine(updates);
    }

    /** Puts a dead (or, with {@code anyStatus}, a delivered) delivery back in the queue with fresh attempts. */
    public boolean replay(DeliveryDocument delivery, Date now) {
        if (!DeliveryDocument.DEAD.equals(delivery.status) && !DeliveryDocument.DELIVERED.equals(delivery.status)) {
            return false;
        }
        return deliveries.updateOne(cas(delivery.id, delivery.attempts), Updates.combine(
                Updates.set("status", DeliveryDocument.PENDING), Updates.set("attempts", 0),
                Updates.set("nextAttemptAt", now))).getModifiedCount() == 1;
    }

    public DeliveryDocument find(String id) {
        return deliveries.find(Filters.eq("_id", id)).first();
    }

    public List<DeliveryDocument> forEndpoint(String endpointId, String status, int limit) {
        Document filter = new Document("endpointId", endpointId);
        if (status != null) {
            filter.append("status", status);
        }
        return deliveries.find(filter).sort(Sorts.descending("createdAt")).limit(limit).into(new ArrayList<>());
    }

    public long count(String status) {
        return deliveries.countDocuments(new Document("status", status));
    }

    private static Document cas(String id, int attempts) {
        // a plain document, not Filters.and ($and is served by no index on the dev server)
        return new Document("_id", id).append("attempts", attempts);
    }
}
