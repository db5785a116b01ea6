package io.meterline.billing.reporting;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.WriteModel;
import io.meterline.billing.config.MongoCollections;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.conversions.Bson;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The v2 stream requests in flight or awaiting Stripe's validation (collection {@value #COLLECTION}): one document
 * per request of up to 100 deltas, written before the request is sent and removed when every delta it carries is
 * confirmed, refused or dropped. Once the stream accepted a request, an answer document (collection {@value #ANSWERS})
 * records it, and the two are, until a later run writes the confirmation, the only record of its deltas: readers of
 * the ledger apply them ({@link #upToDate}). Written only by the lease holder. See docs/decisions/0142 and 0143.
 */
@ApplicationScoped
public class StreamRequestJournal {

    public static final String COLLECTION = "report_stream_requests";
    /** One small document per accepted request ({@code _id} = the request's), see {@link StreamRequest.Answer}. */
    public static final String ANSWERS = "report_stream_answers";
    private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);
    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);

    private final MongoCollection<StreamRequest> requests;
    private final MongoCollection<StreamRequest.Answer> answers;

    public StreamRequestJournal(MongoCollections collections) {
        this.requests = collections.collection(COLLECTION, StreamRequest.class);
        this.answers = collections.collection(ANSWERS, StreamRequest.Answer.class);
        // explain's lookup of the requests carrying one window (a production MongoDB serves it; the embedded one scans)
        requests.createIndex(Indexes.ascending("deltas.entry"));
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

    /** Every recorded request with its answer, if recorded (a few requests per thousand deltas awaiting validation). */
    public List<StreamRequest> all() {
        List<StreamRequest> recorded = requests.find().batchSize(MongoCollections.READ_BATCH).into(new ArrayList<>());
        // answers after requests: an answer is only ever written after its request, so none is missed
        Map<String, Long> accepted = new HashMap<>();
        answers.find().batchSize(MongoCollections.READ_BATCH).forEach(a -> accepted.put(a.id, a.acceptedAt));
        recorded.forEach(r -> r.acceptedAt = accepted.get(r.id));
        return recorded;
    }

    /**
     * Records that the stream accepted these requests: one small answer document each, in one bulk write. On the v2
     * path this is the sending run's only write after the answers (docs/decisions/0143). Not a {@code $set} on the
     * request: measured, the embedded server rewrote each 100-delta document (≈ 90 ms a batch of ten at load 27,
     * more than journaling them).
     */
    public void accepted(Collection<String> ids, long acceptedAtMillis) {
        if (ids.isEmpty()) {
            return;
        }
        List<WriteModel<StreamRequest.Answer>> writes = new ArrayList<>(ids.size());
        for (String id : ids) {
            writes.add(new InsertOneModel<>(new StreamRequest.Answer(id, acceptedAtMillis)));
        }
        answers.bulkWrite(writes, UNORDERED);
    }

    /** Removes requests by id (a request Stripe refused as a whole: the next run plans its deltas afresh). */
    public void remove(Collection<String> ids) {
        // short $in lists: the embedded server's cost grows with the square of a list (see MongoCollections)
        // answers first: a request left without its answer by a crash in between has only resolved deltas (or none
        // answered), which the journal applies to nothing
        List<String> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += MongoCollections.IDS_PER_QUERY) {
            Bson chunk = Filters.in("_id", all.subList(from, Math.min(all.size(), from + MongoCollections.IDS_PER_QUERY)));
            answers.deleteMany(chunk);
            requests.deleteMany(chunk);
        }
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
     * Brings ledger entries up to date with the journal (docs/decisions/0143). Per entry, the journaled deltas the
     * ledger has not recorded ({@code sequence} below the delta's {@code newSequence}) are applied oldest first: one
     * whose request the stream accepted becomes {@code accepted} on the entry, exactly as the ledger write it replaces
     * would have recorded it; one whose request has no recorded answer (a crash, or a lost answer) is put back as
     * pending, exactly as journaled, and the run re-sends it with the same identifier and amount. Nothing of the entry
     * is applied after an unanswered delta (none is planned on top of one). Entries the ledger does not hold yet are
     * created from the request. Returns the ids of the entries whose pending delta is journaled (restored, or already
     * pending in the ledger after a failure).
     */
    static Set<String> apply(Collection<StreamRequest> recorded, Map<String, LedgerEntry> entries) {
        Map<String, List<Journaled>> byEntry = new HashMap<>();
        for (StreamRequest request : recorded) {
            for (StreamRequest.Delta d : request.deltas) {
                byEntry.computeIfAbsent(d.entry(), k -> new ArrayList<>()).add(new Journaled(d, request.acceptedAt));
            }
        }
        Set<String> restored = new HashSet<>();
        byEntry.forEach((id, deltas) -> {
            deltas.sort(Comparator.comparingLong(j -> j.delta().pending().newSequence()));
            LedgerEntry entry = entries.get(id);
            if (entry == null) {
                StreamRequest.Delta first = deltas.get(0).delta();
                entry = new LedgerEntry();
                entry.id = id;
                entry.meter = first.meter();
                entry.subject = first.subject();
                entry.windowStart = first.windowStart();
                entries.put(id, entry);
            }
            for (Journaled j : deltas) {
                LedgerEntry.Pending pending = j.delta().pending();
                if (entry.sequence >= pending.newSequence()) {
                    continue;
                }
                boolean samePending = entry.pending == null || entry.pending.identifier().equals(pending.identifier());
                if (j.acceptedAt() != null && samePending) {
                    entry.pending = pending;
                    entry.accepted(j.acceptedAt());
                    continue;
                }
                if (entry.pending == null) {
                    entry.pending = pending;
                }
                if (entry.pending.identifier().equals(pending.identifier())) {
                    restored.add(id);
                }
                break;
            }
        });
        return restored;
    }

    private record Journaled(StreamRequest.Delta delta, Long acceptedAt) {
    }

    /**
     * What the ledger holds once the journal is applied, for readers that do not hold the lease (reconciliation, the
     * ops view). The journal is read <em>before</em> the ledger: a confirmation written and its request removed in
     * between is then seen in the ledger, never missed by both. Entries of journaled windows outside what
     * {@code readLedger} covers are added too (callers look entries up by window).
     */
    public Map<String, LedgerEntry> upToDate(Supplier<Map<String, LedgerEntry>> readLedger) {
        List<StreamRequest> recorded = all();
        Map<String, LedgerEntry> entries = readLedger.get();
        apply(recorded, entries);
        return entries;
    }

    /** One ledger entry brought up to date with the requests that carry a delta of it; null when neither holds it. */
    public LedgerEntry upToDate(String entryId, Supplier<LedgerEntry> readLedger) {
        List<StreamRequest> recorded = requests.find(Filters.eq("deltas.entry", entryId)).into(new ArrayList<>());
        Map<String, Long> accepted = new HashMap<>();
        MongoCollections.forEachById(answers, recorded.stream().map(r -> r.id).toList(), null,
                a -> accepted.put(a.id, a.acceptedAt));
        recorded.forEach(r -> r.acceptedAt = accepted.get(r.id));
        LedgerEntry stored = readLedger.get();
        Map<String, LedgerEntry> entries = new HashMap<>();
        if (stored != null) {
            entries.put(entryId, stored);
        }
        apply(recorded, entries);
        return entries.get(entryId);
    }
}
