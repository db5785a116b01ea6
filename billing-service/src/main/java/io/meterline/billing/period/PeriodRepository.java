package io.meterline.billing.period;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import io.meterline.billing.config.MongoCollections;
import io.meterline.model.period.PeriodIds;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Closed periods ({@link PeriodDocument}), their publications and the catch-up checkpoints, as typed collections. Only single-document
 * atomic operations on unique keys: the insert of a revision's {@code _id} decides which instance closes it.
 */
@ApplicationScoped
public class PeriodRepository {

    private static final int DUPLICATE_KEY = 11000;

    private final MongoCollection<PeriodDocument> periods;
    private final MongoCollection<PeriodCheckpointDocument> checkpoints;
    private final MongoCollection<PeriodPublicationDocument> publications;

    public PeriodRepository(MongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        MongoDatabase db = client.getDatabase(database);
        this.periods = db.getCollection(PeriodDocument.COLLECTION, PeriodDocument.class);
        this.checkpoints = db.getCollection(PeriodCheckpointDocument.COLLECTION, PeriodCheckpointDocument.class);
        this.publications = db.getCollection(PeriodPublicationDocument.COLLECTION, PeriodPublicationDocument.class);
        // compare-and-set shapes {_id, version} and {_id, at}: unique indexes so the dev server serves them
        checkpoints.createIndex(Indexes.ascending("_id", "version"), new IndexOptions().unique(true));
        publications.createIndex(Indexes.ascending("_id", "at"), new IndexOptions().unique(true));
        // for listing on a real MongoDB (the embedded dev server ignores non-unique indexes)
        periods.createIndex(Indexes.ascending("meter", "customer", "size", "start"));
    }

    /** The latest revision of each period key that has been closed; absent keys are open or never had usage. */
    public Map<String, PeriodDocument> latest(Collection<String> periodKeys) {
        Map<String, PeriodDocument> latest = new HashMap<>();
        Set<String> next = new HashSet<>(periodKeys);
        for (int revision = 0; !next.isEmpty(); revision++) {
            List<String> ids = new ArrayList<>(next.size());
            for (String key : next) {
                ids.add(PeriodIds.revisionId(key, revision));
            }
            next = new HashSet<>();
            Set<String> found = next;
            MongoCollections.forEachById(periods, ids, null, document -> {
                latest.put(document.periodKey, document);
                found.add(document.periodKey);
            });
        }
        return latest;
    }

    /** Inserts each revision unless its {@code _id} exists; returns those this call inserted. */
    public List<PeriodDocument> insertIfAbsent(List<PeriodDocument> documents) {
        if (documents.isEmpty()) {
            return List.of();
        }
        try {
            periods.insertMany(documents, new InsertManyOptions().ordered(false));
            return documents;
        } catch (MongoBulkWriteException e) {
            Set<Integer> lost = new HashSet<>();
            for (BulkWriteError error : e.getWriteErrors()) {
                if (error.getCode() != DUPLICATE_KEY) {
                    throw e;
                }
                lost.add(error.getIndex());
            }
            List<PeriodDocument> inserted = new ArrayList<>(documents.size() - lost.size());
            for (int i = 0; i < documents.size(); i++) {
                if (!lost.contains(i)) {
                    inserted.add(documents.get(i));
                }
            }
            return inserted;
        }
    }

    /** Records that a batch is about to be closed and published: before the insert, so no revision lacks it. */
    public void startPublication(PeriodPublicationDocument publication) {
        publications.insertOne(publication);
    }

    /** The batch is on the topic and fanned out: nothing left to recover. */
    public void finishPublication(String id) {
        publications.deleteOne(Filters.eq("_id", id));
    }

    /** Publications started (or taken over) before {@code before} and never finished: interrupted by a crash. */
    public List<PeriodPublicationDocument> unfinishedPublications(Date before, int limit) {
        return publications.find(new Document("at", new Document("$lt", before))).limit(limit).into(new ArrayList<>());
    }

    /** Takes over an unfinished publication; false when another instance took it first. */
    public boolean claimPublication(PeriodPublicationDocument publication, Date now, String instance) {
        return publications.updateOne(new Document("_id", publication.id).append("at", publication.at),
                Updates.combine(Updates.set("at", now), Updates.set("by", instance))).getModifiedCount() == 1;
    }

    /** The revisions a publication's insert closed (documents naming it); the others were closed by another. */
    public List<PeriodDocument> closedBy(PeriodPublicationDocument publication) {
        List<PeriodDocument> found = new ArrayList<>(publication.periodIds.size());
        MongoCollections.forEachById(periods, publication.periodIds, null, document -> {
            if (publication.id.equals(document.publication)) {
                found.add(document);
            }
        });
        return found;
    }

    /** Every revision of a meter and customer's periods of one size starting in {@code [from, to)}. */
    public List<PeriodDocument> list(String meter, String customer, String size, Date from, Date to) {
        return periods.find(new Document("meter", meter).append("customer", customer).append("size", size)
                        .append("start", new Document("$gte", from).append("$lt", to)))
                .sort(Sorts.ascending("start", "groupKey", "revision")).into(new ArrayList<>());
    }

    public PeriodCheckpointDocument checkpoint(String meter) {
        return checkpoints.find(Filters.eq("_id", meter)).first();
    }

    /** Advances the checkpoint if nobody else did since {@code read} (null: none existed). */
    public void advance(String meter, PeriodCheckpointDocument read, Date horizon, Date changedSince) {
        PeriodCheckpointDocument next = new PeriodCheckpointDocument();
        next.id = meter;
        next.horizon = horizon;
        next.changedSince = changedSince;
        next.version = read == null ? 1 : read.version + 1;
        next.updatedAt = new Date();
        try {
            if (read == null) {
                checkpoints.insertOne(next);
            } else {
                checkpoints.replaceOne(new Document("_id", meter).append("version", read.version), next,
                        new ReplaceOptions());
            }
        } catch (com.mongodb.MongoWriteException e) {
            if (e.getError().getCode() != DUPLICATE_KEY) {
                throw e;
            }
            // another instance advanced it first: its run covered at least as much
        }
    }
}
