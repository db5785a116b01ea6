package io.meterline.billing.reporting;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;

import org.bson.conversions.Bson;

import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Report run records (collection {@value #COLLECTION}), stored as {@link ReportRun} documents. */
@ApplicationScoped
public class ReportRunRepository implements PanacheMongoRepositoryBase<ReportRun, String> {

    public static final String COLLECTION = "report_runs";

    public void save(ReportRun run) {
        persistOrUpdate(run);
    }

    /** The run with this id, or null. */
    public ReportRun find(String id) {
        return findById(id);
    }

    public List<ReportRun> recent(int limit) {
        return findAll(Sort.descending("started")).page(0, limit).list();
    }

    /**
     * Ends every run still marked {@code running} that started before {@code startedBefore} and is not owned by
     * {@code liveOwner} (the lease holder, may be null): a run works only while it holds the lease, so such a run's
     * instance is gone. Returns how many were aborted.
     */
    public long abortOrphans(String liveOwner, Instant startedBefore, String detail) {
        Bson filter = Filters.and(Filters.eq("status", "running"), Filters.lt("started", Date.from(startedBefore)));
        if (liveOwner != null) {
            filter = Filters.and(filter, Filters.ne("owner", liveOwner));
        }
        return mongoCollection().updateMany(filter, Updates.combine(Updates.set("status", "aborted"),
                Updates.set("abortReason", ReportRun.OWNER_LOST), Updates.set("abortDetail", detail),
                Updates.set("finished", new Date()))).getModifiedCount();
    }

    /** Marks a run that is still {@code running} as aborted because an admin broke its lease; false when it was not running. */
    public boolean abortBroken(String id, String brokenBy, String detail) {
        return mongoCollection().updateOne(Filters.and(Filters.eq("_id", id), Filters.eq("status", "running")),
                Updates.combine(Updates.set("status", "aborted"), Updates.set("abortReason", ReportRun.LEASE_BROKEN),
                        Updates.set("abortDetail", detail), Updates.set("brokenBy", brokenBy),
                        Updates.set("finished", new Date()))).getModifiedCount() > 0;
    }
}
