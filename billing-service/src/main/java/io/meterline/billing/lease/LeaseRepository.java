package io.meterline.billing.lease;

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
 * Named leases (collection {@value #COLLECTION}, one document per lease name): one holder at a time across
 * replicas. Taking a lease is one atomic find-and-modify matching "expired, or already mine" with upsert; when
 * another owner holds a live lease the filter does not match, the upsert tries to insert a second document with
 * the same {@code _id}, and the unique {@code _id} refuses it (E11000): the lease is held.
 *
 * <p>A live holder renews well within the lease's length, so a holder that died is detected within one lease
 * length; {@code renewedAt} tells an operator when the holder last showed life.
 */
@ApplicationScoped
public class LeaseRepository {

    public static final String COLLECTION = "leases";
    private static final int DUPLICATE_KEY = 11000;

    private final MongoCollection<Document> leases;

    public LeaseRepository(MongoCollections collections) {
        this.leases = collections.collection(COLLECTION);
    }

    /** A lease as stored: who holds it, when it was taken, last renewed and when it expires. */
    public record Lease(String name, String owner, Instant acquiredAt, Instant renewedAt, Instant expiresAt) {
        public boolean live(Instant now) {
            return expiresAt != null && expiresAt.isAfter(now);
        }
    }

    /** Takes the lease, or renews it when {@code owner} already holds it; false when someone else holds a live one. */
    public boolean acquire(String name, String owner, Duration ttl) {
        Instant now = Instant.now();
        try {
            Document lease = leases.findOneAndUpdate(
                    Filters.and(Filters.eq("_id", name),
                            Filters.or(Filters.lt("expiresAt", Date.from(now)), Filters.eq("owner", owner))),
                    Updates.combine(Updates.set("owner", owner), Updates.set("expiresAt", Date.from(now.plus(ttl))),
                            Updates.set("renewedAt", Date.from(now))),
                    new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.BEFORE));
            if (lease == null || !owner.equals(lease.getString("owner"))) {
                // newly taken (inserted, or taken over from an expired holder): record when
                leases.updateOne(Filters.and(Filters.eq("_id", name), Filters.eq("owner", owner)),
                        Updates.set("acquiredAt", Date.from(now)));
            }
            return true;
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

    /** Extends a lease {@code owner} still holds (live); false when it expired or someone else holds it now. */
    public boolean renew(String name, String owner, Duration ttl) {
        Instant now = Instant.now();
        Document lease = leases.findOneAndUpdate(
                Filters.and(Filters.eq("_id", name), Filters.eq("owner", owner), Filters.gte("expiresAt", Date.from(now))),
                Updates.combine(Updates.set("expiresAt", Date.from(now.plus(ttl))), Updates.set("renewedAt", Date.from(now))),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
        return lease != null;
    }

    /** Gives the lease up (only when still ours), so the next holder need not wait for it to expire. */
    public void release(String name, String owner) {
        leases.updateOne(Filters.and(Filters.eq("_id", name), Filters.eq("owner", owner)),
                Updates.combine(Updates.set("expiresAt", new Date(0)), Updates.set("releasedAt", new Date())));
    }

    /** The lease as stored (live or not), or null when it was never taken. */
    public Lease find(String name) {
        Document lease = leases.find(Filters.eq("_id", name)).first();
        if (lease == null) {
            return null;
        }
        return new Lease(name, lease.getString("owner"), instant(lease.getDate("acquiredAt")),
                instant(lease.getDate("renewedAt")), instant(lease.getDate("expiresAt")));
    }

    /** The live lease, or null when nobody holds one. */
    public Lease live(String name) {
        Lease lease = find(name);
        return lease != null && lease.live(Instant.now()) ? lease : null;
    }

    /**
     * Breaks the lease held by {@code owner} (an operator's decision: the holder is known to be dead). Returns the
     * lease as it was, or null when {@code owner} does not hold it (anymore).
     */
    public Lease breakLease(String name, String owner) {
        Document before = leases.findOneAndUpdate(
                Filters.and(Filters.eq("_id", name), Filters.eq("owner", owner), Filters.gte("expiresAt", new Date())),
                Updates.combine(Updates.set("expiresAt", new Date(0)), Updates.set("brokenAt", new Date())),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.BEFORE));
        if (before == null) {
            return null;
        }
        return new Lease(name, owner, instant(before.getDate("acquiredAt")), instant(before.getDate("renewedAt")),
                instant(before.getDate("expiresAt")));
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
