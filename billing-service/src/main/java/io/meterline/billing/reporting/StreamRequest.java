package io.meterline.billing.reporting;

import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonIgnore;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * One v2 meter event stream request as the reporter recorded it <em>before</em> sending it (collection
 * {@value StreamRequestJournal#COLLECTION}): the up to 100 deltas it carries, each exactly as planned (identifier,
 * amount, timestamp, the ledger state once Stripe has it). It replaces the per-delta {@code pending} write of the
 * ledger on the v2 path: a delta is still on its way while its ledger entry's {@code sequence} is below the delta's
 * {@code newSequence}; the document is removed once none of its deltas is pending or accepted (docs/decisions/0142).
 * Once the stream accepted the request, an {@link Answer} records it and the two stand in for the ledger's
 * {@code accepted} write of its deltas until a later run confirms or re-plans them (docs/decisions/0143).
 */
public class StreamRequest {
    @BsonId
    public String id;
    public Date createdAt;
    /**
     * Epoch ms the stream accepted the request, from its {@link Answer}; null while no answer is recorded (sent or
     * not, it is then re-sent as is). Not stored on the request.
     */
    @BsonIgnore
    public Long acceptedAt;

    /** The stream accepted request {@code id} at {@code acceptedAt} (collection {@value StreamRequestJournal#ANSWERS}). */
    public static class Answer {
        @BsonId
        public String id;
        public long acceptedAt;

        public Answer() {
        }

        Answer(String id, long acceptedAt) {
            this.id = id;
            this.acceptedAt = acceptedAt;
        }
    }
    public List<Delta> deltas = new ArrayList<>();

    /** A delta of the request and the ledger entry (window) it belongs to. */
    public record Delta(String entry, String meter, String subject, long windowStart, LedgerEntry.Pending pending) {
    }

    /** The request for these entries' pending deltas. */
    static StreamRequest of(List<LedgerEntry> entries) {
        StreamRequest request = new StreamRequest();
        request.id = "sr_" + java.util.UUID.randomUUID().toString().replace("-", "");
        for (LedgerEntry entry : entries) {
            request.deltas.add(new Delta(entry.id, entry.meter, entry.subject, entry.windowStart, entry.pending));
        }
        return request;
    }

    /** A request document for deltas the ledger already holds as accepted (written by a version without the journal). */
    static StreamRequest adopting(LedgerEntry entry) {
        StreamRequest request = new StreamRequest();
        request.id = "sr_" + java.util.UUID.randomUUID().toString().replace("-", "");
        for (LedgerEntry.Accepted a : entry.accepted) {
            request.deltas.add(new Delta(entry.id, entry.meter, entry.subject, entry.windowStart, new LedgerEntry.Pending(
                    a.identifier(), entry.customerId, null, a.amount(), a.timestamp(), entry.reported, entry.sequence)));
        }
        return request;
    }
}
