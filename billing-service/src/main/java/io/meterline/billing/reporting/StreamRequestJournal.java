package io.meterline.billing.reporting;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import io.meterline.billing.config.MongoCollections;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The v2 stream requests in flight or awaiting Stripe's validation (collection {@value #COLLECTION}): one document
 * per request of up to 100 deltas, written before the request is sent and removed when every delta it carries is
 * confirmed, refused or dropped. Written only by the lease holder. See docs/decisions/0142.
 */
@ApplicationScoped
public class StreamRequestJournal {

    public static final String COLLECTION = "report_stream_requests";
    private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);
    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);

    private final MongoCollection<StreamRequest> requests;

    public StreamRequestJournal(MongoCollections collections) {
        this.requests = collections.collection(COLLECTION, StreamRequest.class);
    }

    /** Records requests before they are sent: one upsert each, in one bulk write. */
    public void record(Collection<StreamRequest> batch) {
        if (batch.isEmpty()) {
            return;
        }
        Date now = new Date();
        List<WriteModel<StreamRequest>> writes = new ArrayList<>(batch.size());
        for (StreamRequest request : batch) {
            request.createdAt = now;
            writes.add(new ReplaceOneModel<>(Filters.eq("_id", request.id), request, UPSERT));
        }
        requests.bulkWrite(writes, UNORDERED);
    }

    /** Every recorded request (a few per thousand deltas awaiting validation). */
    public List<StreamRequest> all() {
        return requests.find().batchSize(MongoCollections.READ_BATCH).into(new ArrayList<>());
    }

    /** Removes requests by id (a request Stripe refused as a whole: the next run plans its deltas afresh). */
    public void remove(Collection<String> ids) {
        // short $in lists: the embedded server's cost grows with the square of a list (see MongoCollections)
        List<String> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += MongoCollections.IDS_PER_QUERY) {
            requests.deleteMany(Filters.in("_id", all.subList(from, Math.min(all.size(), from + MongoCollections.IDS_PER_QUERY))));
        }
    }

    /** Ledger entry ids with a delta in a recorded request: in flight or awaiting validation. */
    public Set<String> entryIds() {
        Set<String> ids = new HashSet<>();
        for (StreamRequest request : all()) {
            request.deltas.forEach(d -> ids.add(d.entry()));
        }
        return ids;
    }

    /** Removes the requests whose deltas {@link #resolved} says are all done with, given the ledger's entries. */
    public int removeResolved(Collection<StreamRequest> recorded, Map<String, LedgerEntry> entries) {
        List<String> done = new ArrayList<>();
        for (StreamRequest request : recorded) {
            if (request.deltas.stream().allMatch(d -> resolved(d, entries.get(d.entry())))) {
                done.add(request.id);
            }
        }
        remove(done);
        return done.size();
    }

    /**
     * Whether the ledger no longer needs this request's copy of the delta: the entry has moved past it
     * ({@code sequence} reached) and holds it neither as pending nor as accepted.
     */
    static boolean resolved(StreamRequest.Delta delta, LedgerEntry entry) {
        if (entry == null || entry.sequence < delta.pending().newSequence()) {
            return false;
        }
        String identifier = delta.pending().identifier();
        return (entry.pending == null || !identifier.equals(entry.pending.identifier()))
                && entry.accepted.stream().noneMatch(a -> identifier.equals(a.identifier()));
    }

    /**
     * Puts the recorded deltas the ledger does not have yet back on their entries as pending, exactly as recorded
     * (a crash or lost answer between this journal's write and the ledger's): the run re-sends them with the same
     * identifier and amount. Entries the ledger does not hold yet are created from the request. Returns the ids of
     * the entries whose pending delta is journaled (restored, or already pending in the ledger after a failure).
     */
    static Set<String> restorePending(Collection<StreamRequest> recorded, Map<String, LedgerEntry> entries) {
        Set<String> restored = new HashSet<>();
        for (StreamRequest request : recorded) {
            for (StreamRequest.Delta d : request.deltas) {
                LedgerEntry entry = entries.get(d.entry());
                if (entry == null) {
                    entry = new LedgerEntry();
                    entry.id = d.entry();
                    entry.meter = d.meter();
                    entry.subject = d.subject();
                    entry.windowStart = d.windowStart();
                    entries.put(entry.id, entry);
                }
                if (entry.sequence >= d.pending().newSequence()) {
                    continue;
                }
                if (entry.pending == null) {
                    entry.pending = d.pending();
                }
                if (entry.pending.identifier().equals(d.pending().identifier())) {
                    restored.add(entry.id);
                }
            }
        }
        return restored;
    }
}
