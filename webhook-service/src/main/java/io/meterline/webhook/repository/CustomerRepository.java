package io.meterline.webhook.repository;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.CustomerDocument;
import io.meterline.webhook.domain.GuardedWrite;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.conversions.Bson;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Customers in billing's shape ({@code stripe_customers}). Three kinds of events write three independent parts of
 * a customer, each with its own guard: the profile (customer events, ordered by {@code lastEventCreated}), the
 * delinquency flag (invoice events, ordered by {@code delinquentEventCreated}) and the subject from a checkout.
 */
@ApplicationScoped
public class CustomerRepository {

    private final MongoCollection<CustomerDocument> customers;

    public CustomerRepository(MongoDatabases databases) {
        this.customers = databases.blocking().getCollection(BillingCollections.CUSTOMERS, CustomerDocument.class);
    }

    /**
     * Writes the profile from a customer event if the event is newer than the last one applied. Subject and
     * organization are only written when the customer's metadata names them, so that a subject linked by a
     * checkout session survives later customer updates that do not mention it.
     */
    public GuardedWrite applyProfileIfNewer(CustomerDocument doc, long created, String eventId) {
        Bson newer = Filters.or(
                Filters.lt("lastEventCreated", created),
                Filters.and(Filters.eq("lastEventCreated", created), Filters.eq("lastEventId", eventId)));
        if (update(doc.id, newer, profile(doc, created, eventId))) {
            return GuardedWrite.APPLIED;
        }
        CustomerDocument current = find(doc.id).orElse(null);
        return current != null && current.lastEventCreated == created && !eventId.equals(current.lastEventId)
                ? GuardedWrite.TIE : GuardedWrite.STALE;
    }

    /**
     * {@link #applyProfileIfNewer} when {@code stored} was just read: when its event is older (or this same event),
     * the profile is written by a compare-and-set on exactly that stored event ({@code {_id, lastEventCreated,
     * lastEventId}}, a unique index), which the dev Mongo-wire server serves from the index, where the {@code $or}
     * guard scans the collection (decision 0155). A compare-and-set that misses (another writer came first) and
     * every other case take the guarded path.
     */
    public GuardedWrite applyProfileOver(CustomerDocument stored, CustomerDocument doc, long created, String eventId) {
        if (stored.lastEventCreated < created || stored.lastEventCreated == created && eventId.equals(stored.lastEventId)) {
            BsonDocument expected = new BsonDocument("_id", new BsonString(doc.id))
                    .append("lastEventCreated", new BsonInt64(stored.lastEventCreated))
                    .append("lastEventId", stored.lastEventId == null ? BsonNull.VALUE : new BsonString(stored.lastEventId));
            if (customers.updateOne(expected, profile(doc, created, eventId)).getMatchedCount() == 1) {
                return GuardedWrite.APPLIED;
            }
        }
        return applyProfileIfNewer(doc, created, eventId);
    }

    /** Writes the profile unless strictly newer state is stored (a same-second tie already settled). */
    public GuardedWrite applyProfileUnlessNewer(CustomerDocument doc, long created, String eventId) {
        return update(doc.id, Filters.lte("lastEventCreated", created), profile(doc, created, eventId))
                ? GuardedWrite.APPLIED : GuardedWrite.STALE;
    }

    /** Sets the delinquency flag from an invoice event if it is newer than the last invoice event applied. */
    public GuardedWrite setDelinquentIfNewer(String customerId, boolean delinquent, long created) {
        Bson update = Updates.combine(
                Updates.set("delinquent", delinquent),
                Updates.set("delinquentEventCreated", created),
                Updates.setOnInsert("lastEventCreated", 0L),
                Updates.setOnInsert("deleted", false));
        // same second: last writer wins; the customer re-fetch (see EventProcessor) settles it when Stripe is reachable
        return update(customerId, Filters.lte("delinquentEventCreated", created), update)
                ? GuardedWrite.APPLIED : GuardedWrite.STALE;
    }

    /** Links a Meterline subject (a checkout's {@code client_reference_id}) unless the customer already has one. */
    public boolean linkSubjectIfAbsent(String customerId, String subject) {
        return update(customerId, Filters.eq("subject", null), Updates.combine(
                Updates.set("subject", subject),
                Updates.setOnInsert("lastEventCreated", 0L),
                Updates.setOnInsert("delinquentEventCreated", 0L),
                Updates.setOnInsert("deleted", false),
                Updates.setOnInsert("delinquent", false)));
    }

    public boolean linkOrganizationIfAbsent(String customerId, String organization) {
        return update(customerId, Filters.eq("organization", null), Updates.combine(
                Updates.set("organization", organization),
                Updates.setOnInsert("lastEventCreated", 0L),
                Updates.setOnInsert("delinquentEventCreated", 0L),
                Updates.setOnInsert("deleted", false),
                Updates.setOnInsert("delinquent", false)));
    }

    /** Another customer, not deleted, that already pays for {@code subject}. */
    public Optional<String> liveHolderOfSubject(String subject, String exceptCustomerId) {
        CustomerDocument holder = customers.find(Filters.and(Filters.eq("subject", subject),
                Filters.ne("_id", exceptCustomerId), Filters.ne("deleted", true))).first();
        return Optional.ofNullable(holder).map(c -> c.id);
    }

    public void createIndexes() {
        // billing resolves customers by subject and organization; the dev Mongo-wire server ignores these
        customers.createIndex(com.mongodb.client.model.Indexes.ascending("subject"));
        customers.createIndex(com.mongodb.client.model.Indexes.ascending("organization"));
        // the compare-and-set of applyProfileOver, for the dev server (a real MongoDB uses _id)
        customers.createIndex(com.mongodb.client.model.Indexes.ascending("_id", "lastEventCreated", "lastEventId"),
                new com.mongodb.client.model.IndexOptions().unique(true));
    }

    public Optional<CustomerDocument> find(String id) {
        return Optional.ofNullable(customers.find(Filters.eq("_id", id)).first());
    }

    private static Bson profile(CustomerDocument doc, long created, String eventId) {
        List<Bson> sets = new ArrayList<>(List.of(
                Updates.set("email", doc.email),
                Updates.set("deleted", doc.deleted),
                Updates.set("lastEventCreated", created),
                Updates.set("lastEventId", eventId),
                Updates.setOnInsert("delinquent", false),
                Updates.setOnInsert("delinquentEventCreated", 0L)));
        if (doc.subject != null) {
            sets.add(Updates.set("subject", doc.subject));
        }
        if (doc.organization != null) {
            sets.add(Updates.set("organization", doc.organization));
        }
        return Updates.combine(sets);
    }

    private boolean update(String id, Bson guard, Bson update) {
        try {
            // upsert: absent → inserted; present but guard false → the insert collides on _id (E11000) → not written
            customers.updateOne(MongoDatabases.withId(id, guard), update, new UpdateOptions().upsert(true));
            return true;
        } catch (RuntimeException e) {
            if (MongoDatabases.isDuplicateKey(e)) {
                return false;
            }
            throw e;
        }
    }
}
