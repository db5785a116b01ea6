package io.meterline.webhook.repository;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.WriteModel;
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
import java.util.Collections;
import java.util.Date;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

    /**
     * Stores deliveries with one unordered {@code insertMany} (group commit): one answer per member, in order.
     * A member whose id is stored already is a {@link BatchInsert#DUPLICATE}; a member the server refused for
     * another reason is {@link BatchInsert#FAILED} alone. The Uni fails when the write as a whole failed (store
     * unreachable): then nothing may be acknowledged, although some members may be stored (a retry finds them).
     */
    public Uni<List<BatchInsert>> insertBatch(List<ReceivedEvent> batch, List<String> payloads, String source) {
        Instant now = Instant.now();
        List<Document> docs = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            docs.add(newEvent(batch.get(i), payloads.get(i), source, now));
        }
        return reactiveEvents.insertMany(docs, new InsertManyOptions().ordered(false))
                .map(result -> Collections.nCopies(batch.size(), BatchInsert.STORED))
                .onFailure(MongoBulkWriteException.class).recoverWithItem(e -> {
                    List<BatchInsert> answers = new ArrayList<>(Collections.nCopies(batch.size(), BatchInsert.STORED));
                    for (BulkWriteError error : ((MongoBulkWriteException) e).getWriteErrors()) {
                        answers.set(error.getIndex(), error.getCategory() == ErrorCategory.DUPLICATE_KEY
                                ? BatchInsert.DUPLICATE : BatchInsert.FAILED);
                    }
                    return answers;
                });
    }

    /** One member's outcome in {@link #insertBatch}. */
    public enum BatchInsert { STORED, DUPLICATE, FAILED }

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
     * Claims events just stored by this process with one unordered bulk write of compare-and-sets, without reading
     * them first: version 0 is exactly "inserted and never touched" (pending, due now). Returns the claimed ones; only when some compare-and-set did not match (another
     * instance's sweep got there first) are they read back, by the claim token each claim writes as lease owner.
     */
    public List<StoredEvent> claimNewBatch(List<StoredEvent> fresh, Instant now, Duration lease, String token) {
        if (fresh.isEmpty()) {
            return List.of();
        }
        Bson claim = claimUpdate(now, lease, token);
        List<WriteModel<Document>> writes = new ArrayList<>(fresh.size());
        fresh.forEach(event -> writes.add(new UpdateOneModel<>(held(event.id(), 0L), claim)));
        long matched = events.bulkWrite(writes, new BulkWriteOptions().ordered(false)).getMatchedCount();
        List<StoredEvent> claimed = new ArrayList<>(fresh.size());
        if (matched == fresh.size()) {
            fresh.forEach(event -> claimed.add(new StoredEvent(event.id(), event.type(), event.created(), event.payload(), 1, 1L)));
            return claimed;
        }
        Set<String> ours = new HashSet<>();
        events.find(Filters.in("_id", fresh.stream().map(StoredEvent::id).toList()))
                .projection(Projections.include("_id", "leaseOwner", "version"))
                .forEach(doc -> {
                    if (token.equals(doc.getString("leaseOwner")) && Long.valueOf(1L).equals(asLong(doc.get("version")))) {
                        ours.add(doc.getString("_id"));
                    }
                });
        fresh.stream().filter(event -> ours.contains(event.id()))
                .forEach(event -> claimed.add(new StoredEvent(event.id(), event.type(), event.created(), event.payload(), 1, 1L)));
        return claimed;
    }

    /**
     * Marks a round of applied events processed with one unordered bulk write of compare-and-sets on the versions
     * their claims hold. Returns the ids marked; a claim that was taken over (its lease expired) is not.
     */
    public Set<String> markProcessedBatch(List<Completed> completed, Instant now, String token) {
        Set<String> marked = new HashSet<>();
        if (completed.isEmpty()) {
            return marked;
        }
        List<WriteModel<Document>> writes = new ArrayList<>(completed.size());
        for (Completed done : completed) {
            writes.add(new UpdateOneModel<>(held(done.id(), done.heldVersion()), Updates.combine(
                    processedUpdate(done.outcome(), now), Updates.set("processedBy", token))));
        }
        long matched = events.bulkWrite(writes, new BulkWriteOptions().ordered(false)).getMatchedCount();
        if (matched == completed.size()) {
            completed.forEach(done -> marked.add(done.id()));
            return marked;
        }
        Map<String, Long> expected = new HashMap<>();
        completed.forEach(done -> expected.put(done.id(), done.heldVersion() + 1));
        events.find(Filters.in("_id", new ArrayList<>(expected.keySet())))
                .projection(Projections.include("_id", "processedBy", "version"))
                .forEach(doc -> {
                    String id = doc.getString("_id");
                    if (token.equals(doc.getString("processedBy")) && expected.get(id).equals(asLong(doc.get("version")))) {
                        marked.add(id);
                    }
                });
        return marked;
    }

    /** An applied event of a round: the version its claim holds and what applying it did. */
    public record Completed(String id, long heldVersion, ProcessingOutcome outcome) {
    }

    private static Bson claimUpdate(Instant now, Duration lease, String owner) {
        return Updates.combine(
                Updates.set("status", EventStatus.PROCESSING.wire()),
                Updates.set("leaseUntil", Date.from(now.plus(lease))),
                Updates.set("leaseOwner", owner),
                Updates.inc("attempts", 1),
                Updates.inc("version", 1L));
    }

    private static Bson processedUpdate(ProcessingOutcome outcome, Instant now) {
        return Updates.combine(
                Updates.inc("version", 1L),
                Updates.set("status", EventStatus.PROCESSED.wire()),
                Updates.set("outcome", outcome.wire()),
                Updates.set("processedAt", Date.from(now)),
                Updates.unset("leaseUntil"),
                Updates.unset("leaseOwner"));
    }

    private static Long asLong(Object value) {
        return value instanceof Number number ? number.longValue() : null;
    }

    private Optional<StoredEvent> claimVersion(String id, Bson expected, Instant now, Duration lease, String owner) {
        Document doc = events.findOneAndUpdate(
                expected,
                claimUpdate(now, lease, owner),
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
        return events.updateOne(held(id, heldVersion), processedUpdate(outcome, now)).getModifiedCount() == 1;
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

    /**
     * How many events are in each of {@code statuses} (0 for none), with one query: on the dev Mongo-wire server
     * every count by status scans the collection under its lock, delaying acknowledgements behind it.
     */
    public Map<EventStatus, Long> countByStatus(List<EventStatus> statuses) {
        Map<EventStatus, Long> counts = new EnumMap<>(EventStatus.class);
        statuses.forEach(status -> counts.put(status, 0L));
        events.aggregate(List.of(
                Aggregates.match(Filters.in("status", statuses.stream().map(EventStatus::wire).toList())),
                Aggregates.group("$status", Accumulators.sum("n", 1))))
                .forEach(doc -> statuses.stream().filter(status -> status.wire().equals(doc.getString("_id")))
                        .forEach(status -> counts.put(status, ((Number) doc.get("n")).longValue())));
        return counts;
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
