package io.meterline.webhook.repository;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.webhook.domain.GuardedWrite;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.Document;
import org.bson.conversions.Bson;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;

/**
 * Subscriptions in billing's shape ({@code stripe_subscriptions}). A subscription event carries the whole object,
 * so a write replaces the document, guarded so that it only happens when the event is newer than the stored one.
 */
@ApplicationScoped
public class SubscriptionRepository {

    private static final String LAST_EVENT_CREATED = "lastEventCreated";
    private static final String LAST_EVENT_ID = "lastEventId";

    private final MongoCollection<SubscriptionDocument> subscriptions;
    /** The same collection untyped, to read two fields of many documents. */
    private final MongoCollection<Document> raw;

    public SubscriptionRepository(MongoDatabases databases) {
        this.subscriptions = databases.blocking().getCollection(BillingCollections.SUBSCRIPTIONS, SubscriptionDocument.class);
        this.raw = databases.blocking().getCollection(BillingCollections.SUBSCRIPTIONS);
    }

    /** Writes {@code doc} if its event ({@code doc.lastEventCreated}, {@code doc.lastEventId}) is newer than the stored one. */
    public GuardedWrite replaceIfNewer(SubscriptionDocument doc) {
        if (replace(doc, newer(doc))) {
            return GuardedWrite.APPLIED;
        }
        SubscriptionDocument current = find(doc.id).orElse(null);
        return current != null && current.lastEventCreated == doc.lastEventCreated
                && !doc.lastEventId.equals(current.lastEventId) ? GuardedWrite.TIE : GuardedWrite.STALE;
    }

    /** What {@link #replaceAllIfNewer} did with one document. */
    public enum BulkWrite {
        /** Written: the stored state is now this event's. */
        WRITTEN,
        /** Not written: the stored state comes from a strictly newer event. */
        STALE,
        /** Not settled here (a tie of the same second, a concurrent writer, an error): settle it alone. */
        UNSETTLED
    }

    /**
     * {@link #replaceIfNewer} for many subscriptions (distinct ids) with one read and one unordered bulk write: the
     * stored event (time, id) of every subscription is read with one {@code $in} on {@code _id}; a subscription
     * that is absent is inserted, one whose stored event is older is replaced by a compare-and-set on exactly that
     * stored event ({@code {_id, lastEventCreated, lastEventId}}), one whose stored event is strictly newer is
     * {@link BulkWrite#STALE} without a write, and a same-second tie is left {@link BulkWrite#UNSETTLED}. A
     * compare-and-set that matched nothing (another writer came first) or an insert that collided is left
     * unsettled too, for {@link #replaceIfNewer} to settle: the guard is the same, only evaluated here.
     *
     * <p>Why not the guarded replace of {@link #replaceIfNewer} in bulk: the dev Mongo-wire server serves a filter
     * from an index only when its keys are exactly the index's keys, so {@code {_id, $or: […]}} scanned the whole
     * collection for every subscription written (two thirds of its CPU in the webhook benchmark, decision 0155);
     * {@code {_id: {$in}}} and the equality filter on the unique {@code (_id, lastEventCreated, lastEventId)}
     * index are lookups there. On a real MongoDB both are {@code _id} lookups.
     */
    public BulkWrite[] replaceAllIfNewer(List<SubscriptionDocument> docs) {
        BulkWrite[] outcomes = new BulkWrite[docs.size()];
        Arrays.fill(outcomes, BulkWrite.UNSETTLED);
        if (docs.isEmpty()) {
            return outcomes;
        }
        Map<String, Document> stored = storedEvents(docs.stream().map(doc -> doc.id).toList());
        List<WriteModel<SubscriptionDocument>> writes = new ArrayList<>(docs.size());
        List<Integer> written = new ArrayList<>(docs.size());
        int replaces = 0;
        for (int i = 0; i < docs.size(); i++) {
            SubscriptionDocument doc = docs.get(i);
            Document current = stored.get(doc.id);
            if (current == null) {
                writes.add(new InsertOneModel<>(doc));
            } else {
                long created = current.get(LAST_EVENT_CREATED) instanceof Number n ? n.longValue() : Long.MIN_VALUE;
                String eventId = current.getString(LAST_EVENT_ID);
                if (created > doc.lastEventCreated) {
                    outcomes[i] = BulkWrite.STALE;
                    continue;
                }
                if (created == doc.lastEventCreated && !doc.lastEventId.equals(eventId)) {
                    continue; // a tie: settled alone
                }
                BsonDocument expected = new BsonDocument("_id", new BsonString(doc.id))
                        .append(LAST_EVENT_CREATED, current.get(LAST_EVENT_CREATED) == null ? BsonNull.VALUE : new BsonInt64(created))
                        .append(LAST_EVENT_ID, eventId == null ? BsonNull.VALUE : new BsonString(eventId));
                writes.add(new ReplaceOneModel<>(expected, doc));
                replaces++;
            }
            written.add(i);
        }
        if (writes.isEmpty()) {
            return outcomes;
        }
        Set<Integer> failed = new HashSet<>();
        long matched;
        try {
            matched = subscriptions.bulkWrite(writes, new BulkWriteOptions().ordered(false)).getMatchedCount();
        } catch (MongoBulkWriteException e) {
            e.getWriteErrors().forEach(error -> failed.add(error.getIndex()));
            matched = e.getWriteResult().getMatchedCount();
        }
        for (int w = 0; w < written.size(); w++) {
            if (!failed.contains(w)) {
                outcomes[written.get(w)] = BulkWrite.WRITTEN;
            }
        }
        if (matched < replaces) {
            // some compare-and-set met a newer state than the one read: keep WRITTEN only where our event is stored
            List<Integer> check = written.stream().filter(i -> outcomes[i] == BulkWrite.WRITTEN).toList();
            Map<String, Document> now = storedEvents(check.stream().map(i -> docs.get(i).id).toList());
            for (int i : check) {
                Document current = now.get(docs.get(i).id);
                if (current == null || !docs.get(i).lastEventId.equals(current.getString(LAST_EVENT_ID))) {
                    outcomes[i] = BulkWrite.UNSETTLED;
                }
            }
        }
        return outcomes;
    }

    /** The stored event (time, id) of each of {@code ids} that exists, by id. */
    private Map<String, Document> storedEvents(List<String> ids) {
        Map<String, Document> stored = new HashMap<>();
        raw.find(Filters.in("_id", ids)).projection(Projections.include(LAST_EVENT_CREATED, LAST_EVENT_ID))
                .forEach(doc -> stored.put(doc.getString("_id"), doc));
        return stored;
    }

    /** The compare-and-set index of {@link #replaceAllIfNewer}, for the dev server (a real MongoDB uses {@code _id}). */
    public void createIndexes() {
        raw.createIndex(Indexes.ascending("_id", LAST_EVENT_CREATED, LAST_EVENT_ID), new IndexOptions().unique(true));
    }

    private static Bson newer(SubscriptionDocument doc) {
        return Filters.or(
                Filters.lt("lastEventCreated", doc.lastEventCreated),
                // the same event again (a retry after a crash, a replay) rewrites the same state
                Filters.and(Filters.eq("lastEventCreated", doc.lastEventCreated), Filters.eq("lastEventId", doc.lastEventId)));
    }

    /** Writes {@code doc} unless strictly newer state is stored: for a same-second tie already settled. */
    public GuardedWrite replaceUnlessNewer(SubscriptionDocument doc) {
        return replace(doc, Filters.lte("lastEventCreated", doc.lastEventCreated)) ? GuardedWrite.APPLIED : GuardedWrite.STALE;
    }

    /** Every stored subscription (for the comparison with Stripe's). */
    public List<SubscriptionDocument> all() {
        return subscriptions.find().into(new ArrayList<>());
    }

    public Optional<SubscriptionDocument> find(String id) {
        return Optional.ofNullable(subscriptions.find(Filters.eq("_id", id)).first());
    }

    private boolean replace(SubscriptionDocument doc, Bson guard) {
        try {
            // upsert: absent → inserted; present but guard false → the insert collides on _id (E11000) → not written
            subscriptions.replaceOne(MongoDatabases.withId(doc.id, guard), doc, new ReplaceOptions().upsert(true));
            return true;
        } catch (RuntimeException e) {
            if (MongoDatabases.isDuplicateKey(e)) {
                return false;
            }
            throw e;
        }
    }
}
