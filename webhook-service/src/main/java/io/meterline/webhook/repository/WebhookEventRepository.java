package io.meterline.webhook.repository;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.meterline.webhook.domain.EventStatus;
import io.meterline.webhook.domain.ProcessingOutcome;
import io.meterline.webhook.domain.ReceivedEvent;
import io.meterline.webhook.domain.StoredEvent;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.bson.conversions.Bson;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Stored Stripe events ({@code stripe_webhook_events}, {@code _id} = Stripe event id). Every state change is one
 * atomic single-document compare-and-set on {@code (_id, version)}, so no transaction is needed, a worker whose
 * claim was taken over cannot complete it, and a crashed worker only leaves a lease behind.
 *
 * <p>Why compare-and-set on a version rather than a filter on {@code status}/{@code leaseUntil}: the dev
 * Mongo-wire server only uses an index when a query's fields are exactly an index's fields, so
 * {@code {_id, status…}} would scan the whole collection per operation; {@code {_id, version}} hits the unique
 * index created below. On a real MongoDB both are index lookups.
 */
@ApplicationScoped
public class WebhookEventRepository {

    public static final String COLLECTION = "stripe_webhook_events";

    private final MongoCollection<Document> events;
    private final ReactiveMongoCollection<Document> reactiveEvents;

    public WebhookEventRepository(MongoDatabases databases) {
        this.events = databases.blocking().getCollection(COLLECTION);
        this.reactiveEvents = databases.reactive().getCollection(COLLECTION);
    }

    /** Indexes for a real MongoDB; the dev Mongo-wire server accepts and ignores non-unique ones. */
    public void createIndexes() {
        events.createIndex(Indexes.ascending("_id", "version"), new IndexOptions().unique(true));
        events.createIndex(Indexes.ascending("status", "nextAttemptAt"));
        events.createIndex(Indexes.ascending("status", "leaseUntil"));
    }

    /** Stores a new pending event; false when an event with that id is already stored (a redelivery). */
    public Uni<Boolean> insertIfAbsent(ReceivedEvent event, String payload, String source) {
        return reactiveEvents.insertOne(newEvent(event, payload, source, Instant.now()))
                .map(result -> Boolean.TRUE)
                .onFailure(MongoDatabases::isDuplicateKey).recoverWithItem(Boolean.FALSE);
    }

    public boolean insertIfAbsentBlocking(ReceivedEvent event, String payload, String source) {
        try {
            events.insertOne(newEvent(event, payload, source, Instant.now()));
            return true;
        } catch (RuntimeException e) {
            if (MongoDatabases.isDuplicateKey(e)) {
                return false;
            }
            throw e;
        }
    }

    public boolean exists(String id) {
        return events.find(Filters.eq("_id", id)).projection(Projections.include("_id")).first() != null;
    }

    /** Atomically takes a due event (pending and due, or processing with an expired lease) for {@code owner}. */
    public Optional<StoredEvent> claim(String id, Instant now, Duration lease, String owner) {
        Document current = events.find(Filters.eq("_id", id)).first();
        if (current == null || !isDue(current, now)) {
            return Optional.empty();
        }
        return claimVersion(id, version(id, current), now, lease, owner);
    }

    /**
     * Claims an event just stored by this process, without reading it first: version 0 is exactly "inserted and
     * never touched" (pending, due now), so the compare-and-set alone decides. Saves a round trip per event.
     */
    public Optional<StoredEvent> claimNew(String id, Instant now, Duration lease, String owner) {
        return claimVersion(id, held(id, 0L), now, lease, owner);
    }

    private Optional<StoredEvent> claimVersion(String id, Bson expected, Instant now, Duration lease, String owner) {
        Document doc = events.findOneAndUpdate(
                expected,
                Updates.combine(
                        Updates.set("status", EventStatus.PROCESSING.wire()),
                        Updates.set("leaseUntil", Date.from(now.plus(lease))),
                        Updates.set("leaseOwner", owner),
                        Updates.inc("attempts", 1),
                        Updates.inc("version", 1L)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
        if (doc == null) {
            return Optional.empty(); // another worker changed it first
        }
        return Optional.of(new StoredEvent(doc.getString("_id"), doc.getString("type"),
                ((Number) doc.get("created")).longValue(), doc.getString("payload"), doc.getInteger("attempts", 1),
                ((Number) doc.get("version")).longValue()));
    }

    /** Ids of events that are due: retries whose time came, and claims whose lease expired. */
    public List<String> dueIds(Instant now, int limit) {
        List<String> ids = new ArrayList<>();
        events.find(due(now)).projection(Projections.include("_id")).limit(limit)
                .forEach(doc -> ids.add(doc.getString("_id")));
        return ids;
    }

    public boolean markProcessed(String id, long heldVersion, ProcessingOutcome outcome, Instant now) {
        return events.updateOne(held(id, heldVersion), Updates.combine(
                Updates.inc("version", 1L),
                Updates.set("status", EventStatus.PROCESSED.wire()),
                Updates.set("outcome", outcome.wire()),
                Updates.set("processedAt", Date.from(now)),
                Updates.unset("leaseUntil"),
                Updates.unset("leaseOwner"))).getModifiedCount() == 1;
    }

    public boolean markRetry(String id, long heldVersion, Instant nextAttemptAt, String error) {
        return events.updateOne(held(id, heldVersion), Updates.combine(
                Updates.inc("version", 1L),
                Updates.set("status", EventStatus.PENDING.wire()),
                Updates.set("nextAttemptAt", Date.from(nextAttemptAt)),
                Updates.set("lastError", error),
                Updates.unset("leaseUntil"),
                Updates.unset("leaseOwner"))).getModifiedCount() == 1;
    }

    public boolean markDead(String id, long heldVersion, String error, Instant now) {
        return events.updateOne(held(id, heldVersion), Updates.combine(
                Updates.inc("version", 1L),
                Updates.set("status", EventStatus.DEAD.wire()),
                Updates.set("lastError", error),
                Updates.set("deadAt", Date.from(now)),
                Updates.unset("leaseUntil"),
                Updates.unset("leaseOwner"))).getModifiedCount() == 1;
    }

    /** Makes a dead or processed event pending again with fresh attempts; empty when unknown, or held by a worker. */
    public Optional<Document> replay(String id, Instant now) {
        Document current = events.find(Filters.eq("_id", id)).first();
        if (current == null || (EventStatus.PROCESSING.wire().equals(current.getString("status")) && !isDue(current, now))) {
            return Optional.empty();
        }
        return Optional.ofNullable(events.findOneAndUpdate(
                version(id, current),
                Updates.combine(
                        Updates.set("status", EventStatus.PENDING.wire()),
                        Updates.set("attempts", 0),
                        Updates.set("nextAttemptAt", Date.from(now)),
                        Updates.unset("leaseUntil"),
                        Updates.unset("leaseOwner"),
                        Updates.inc("replays", 1),
                        Updates.inc("version", 1L)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)));
    }

    public Optional<Document> find(String id) {
        return Optional.ofNullable(events.find(Filters.eq("_id", id)).projection(Projections.exclude("payload")).first());
    }

    /** Events in a status (all when null), newest first, without their payload. */
    public List<Document> list(EventStatus status, int limit) {
        Bson filter = status == null ? new Document() : Filters.eq("status", status.wire());
        return events.find(filter).projection(Projections.exclude("payload"))
                .sort(Sorts.descending("created")).limit(limit).into(new ArrayList<>());
    }

    public List<String> idsWithStatus(EventStatus status) {
        List<String> ids = new ArrayList<>();
        events.find(Filters.eq("status", status.wire())).projection(Projections.include("_id"))
                .forEach(doc -> ids.add(doc.getString("_id")));
        return ids;
    }

    public long count(EventStatus status) {
        return events.countDocuments(Filters.eq("status", status.wire()));
    }

    private static Document newEvent(ReceivedEvent event, String payload, String source, Instant now) {
        Date date = Date.from(now);
        return new Document("_id", event.id())
                .append("type", event.type())
                .append("created", event.created())
                .append("livemode", event.livemode())
                .append("apiVersion", event.apiVersion())
                .append("objectId", event.objectId())
                .append("source", source)
                .append("status", EventStatus.PENDING.wire())
                .append("attempts", 0)
                .append("version", 0L)
                .append("nextAttemptAt", date)
                .append("receivedAt", date)
                .append("payload", payload);
    }

    private static Bson due(Instant now) {
        Date date = Date.from(now);
        return Filters.or(
                Filters.and(Filters.eq("status", EventStatus.PENDING.wire()), Filters.lte("nextAttemptAt", date)),
                Filters.and(Filters.eq("status", EventStatus.PROCESSING.wire()), Filters.lte("leaseUntil", date)));
    }

    private static boolean isDue(Document doc, Instant now) {
        String status = doc.getString("status");
        Date nextAttemptAt = doc.getDate("nextAttemptAt");
        Date leaseUntil = doc.getDate("leaseUntil");
        return EventStatus.PENDING.wire().equals(status) && (nextAttemptAt == null || !nextAttemptAt.toInstant().isAfter(now))
                || EventStatus.PROCESSING.wire().equals(status) && (leaseUntil == null || !leaseUntil.toInstant().isAfter(now));
    }

    /** Compare-and-set filter on the version read in {@code current}. */
    private static Bson version(String id, Document current) {
        Object version = current.get("version");
        return version instanceof Number number ? held(id, number.longValue())
                : Filters.and(Filters.eq("_id", id), Filters.exists("version", false));
    }

    private static Bson held(String id, long version) {
        return new Document("_id", id).append("version", version);
    }
}
