package io.meterline.webhook.repository;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.webhook.domain.GuardedWrite;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.conversions.Bson;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Subscriptions in billing's shape ({@code stripe_subscriptions}). A subscription event carries the whole object,
 * so a write replaces the document, guarded so that it only happens when the event is newer than the stored one.
 */
@ApplicationScoped
public class SubscriptionRepository {

    private final MongoCollection<SubscriptionDocument> subscriptions;

    public SubscriptionRepository(MongoDatabases databases) {
        this.subscriptions = databases.blocking().getCollection(BillingCollections.SUBSCRIPTIONS, SubscriptionDocument.class);
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

    /**
     * {@link #replaceIfNewer} for many subscriptions (distinct ids) in one unordered bulk write. Returns, per
     * document in order, whether it was written; one not written (newer state stored, a tie, or any other error)
     * is left for {@link #replaceIfNewer} to settle on its own.
     */
    public boolean[] replaceAllIfNewer(List<SubscriptionDocument> docs) {
        boolean[] written = new boolean[docs.size()];
        Arrays.fill(written, true);
        if (docs.isEmpty()) {
            return written;
        }
        List<WriteModel<SubscriptionDocument>> writes = new ArrayList<>(docs.size());
        for (SubscriptionDocument doc : docs) {
            writes.add(new ReplaceOneModel<>(MongoDatabases.withId(doc.id, newer(doc)), doc, new ReplaceOptions().upsert(true)));
        }
        try {
            subscriptions.bulkWrite(writes, new BulkWriteOptions().ordered(false));
        } catch (MongoBulkWriteException e) {
            e.getWriteErrors().forEach(error -> written[error.getIndex()] = false);
        }
        return written;
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
