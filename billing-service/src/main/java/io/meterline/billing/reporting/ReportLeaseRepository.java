package io.meterline.billing.reporting;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import io.meterline.billing.config.MongoCollections;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * One reporter at a time across replicas: a lease document (collection {@value #COLLECTION}) taken with one
 * atomic find-and-modify. Taking it matches "expired, or already mine" and upserts; when another owner holds a
 * live lease the filter does not match, the upsert tries to insert a second document with the same {@code _id},
 * and the unique {@code _id} refuses it (E11000): the lease is held.
 */
@ApplicationScoped
public class ReportLeaseRepository {

    public static final String COLLECTION = "report_lease";
    static final String LEASE_ID = "stripe-reporter";
    private static final int DUPLICATE_KEY = 11000;

    private final MongoCollection<Document> leases;

    public ReportLeaseRepository(MongoCollections collections) {
        this.leases = collections.collection(COLLECTION);
    }

    /** Takes or renews the lease for {@code owner}; false when someone else holds a live one. */
    public boolean acquire(String owner, Duration ttl) {
        Instant now = Instant.now();
        try {
            Document lease = leases.findOneAndUpdate(
                    Filters.and(Filters.eq("_id", LEASE_ID),
                            Filters.or(Filters.lt("expiresAt", Date.from(now)), Filters.eq("owner", owner))),
                    Updates.combine(Updates.set("owner", owner), Updates.set("expiresAt", Date.from(now.plus(ttl))),
                            Updates.set("renewedAt", Date.from(now))),
                    new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
            return lease != null && owner.equals(lease.getString("owner"));
        } catch (MongoCommandException e) {
            if (e.getErrorCode() == DUPLICATE_KEY) {
                return false;
            }
            throw e;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    /** Gives the lease up (only when still ours), so the next run need not wait for it to expire. */
    public void release(String owner) {
        leases.updateOne(Filters.and(Filters.eq("_id", LEASE_ID), Filters.eq("owner", owner)),
                Updates.combine(Updates.set("expiresAt", new Date(0)), Updates.set("releasedAt", new Date())));
    }

    /** Who holds a live lease, or null. */
    public String holder() {
        Document lease = leases.find(Filters.eq("_id", LEASE_ID)).first();
        if (lease == null || lease.getDate("expiresAt") == null || lease.getDate("expiresAt").before(new Date())) {
            return null;
        }
        return lease.getString("owner");
    }
}
