package io.meterline.billing.reporting;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How a journaled v2 stream request is read against the ledger (decisions 0142, 0143). */
class StreamRequestJournalTests {

    private static LedgerEntry entry(String id, long reported, long sequence) {
        LedgerEntry entry = new LedgerEntry();
        entry.id = id;
        entry.meter = "api_calls";
        entry.subject = "acme";
        entry.windowStart = 3600;
        entry.reported = reported;
        entry.sequence = sequence;
        return entry;
    }

    private static StreamRequest request(LedgerEntry... planned) {
        return StreamRequest.of(List.of(planned));
    }

    private static LedgerEntry planned(String id, long reported, long sequence, long amount) {
        LedgerEntry entry = entry(id, reported, sequence);
        entry.pending = new LedgerEntry.Pending("mlid_" + id + "_" + sequence, "cus_1", "api_calls", amount, 3600 + sequence,
                reported + amount, sequence + 1);
        return entry;
    }

    @Test
    void aDeltaTheLedgerNeverRecordedIsPutBackAsPendingExactlyAsJournaled() {
        StreamRequest sent = request(planned("w1", 0, 0, 5));
        Map<String, LedgerEntry> ledger = new HashMap<>();

        assertThat(StreamRequestJournal.apply(List.of(sent), ledger)).containsExactly("w1");
        LedgerEntry restored = ledger.get("w1");
        assertThat(restored.pending).isEqualTo(sent.deltas.get(0).pending());
        assertThat(restored.meter).isEqualTo("api_calls");
        assertThat(StreamRequestJournal.resolved(sent.deltas.get(0), restored)).isFalse();
    }

    @Test
    void aDeltaAlreadyRecordedAsPendingAfterAFailureIsJournaledAndNotReplaced() {
        LedgerEntry failed = planned("w1", 2, 1, 3);
        StreamRequest sent = request(failed);
        Map<String, LedgerEntry> ledger = new HashMap<>(Map.of("w1", failed));

        assertThat(StreamRequestJournal.apply(List.of(sent), ledger)).containsExactly("w1");
        assertThat(ledger.get("w1").pending).isSameAs(failed.pending);
    }

    @Test
    void anAcceptedDeltaStaysJournaledUntilConfirmedOrRefused() {
        LedgerEntry entry = planned("w1", 0, 0, 5);
        StreamRequest sent = request(entry);
        entry.accepted(1_000);
        StreamRequest.Delta delta = sent.deltas.get(0);
        Map<String, LedgerEntry> ledger = new HashMap<>(Map.of("w1", entry));

        assertThat(StreamRequestJournal.apply(List.of(sent), ledger)).isEmpty();
        assertThat(entry.pending).as("the ledger's sequence is past the delta: not sent again").isNull();
        assertThat(StreamRequestJournal.resolved(delta, entry)).isFalse();
        entry.confirmed(entry.accepted.get(0));
        assertThat(StreamRequestJournal.resolved(delta, entry)).isTrue();
    }

    @Test
    void aRefusedDeltaIsResolvedAndItsWindowIsPlannedUnderANewIdentifier() {
        LedgerEntry entry = planned("w1", 0, 0, 5);
        StreamRequest sent = request(entry);
        entry.accepted(1_000);
        entry.refused(entry.accepted.get(0), false, "no customer");

        assertThat(StreamRequestJournal.resolved(sent.deltas.get(0), entry)).isTrue();
        assertThat(StreamRequestJournal.apply(List.of(sent), new HashMap<>(Map.of("w1", entry)))).isEmpty();
        assertThat(entry.reported).isZero();
        assertThat(entry.sequence).as("sequence stays advanced: the next identifier is new").isEqualTo(1);
    }

    @Test
    void aDeltaAcceptedBeforeTheJournalExistedIsAdoptedAndResolvedOnceConfirmed() {
        LedgerEntry entry = planned("w1", 0, 0, 5);
        entry.accepted(1_000);
        StreamRequest adopted = StreamRequest.adopting(entry);

        assertThat(adopted.deltas).hasSize(1);
        assertThat(StreamRequestJournal.apply(List.of(adopted), new HashMap<>(Map.of("w1", entry)))).isEmpty();
        assertThat(StreamRequestJournal.resolved(adopted.deltas.get(0), entry)).isFalse();
        entry.confirmed(entry.accepted.get(0));
        assertThat(StreamRequestJournal.resolved(adopted.deltas.get(0), entry)).isTrue();
    }

    private static StreamRequest acceptedRequest(long acceptedAt, LedgerEntry... planned) {
        StreamRequest request = request(planned);
        request.acceptedAt = acceptedAt;
        return request;
    }

    @Test
    void anAcceptedRequestBringsItsDeltasBackAsAcceptedThoughTheLedgerNeverRecordedThem() {
        StreamRequest sent = acceptedRequest(1_000, planned("w1", 0, 0, 5));
        Map<String, LedgerEntry> ledger = new HashMap<>();

        assertThat(StreamRequestJournal.apply(List.of(sent), ledger)).as("nothing to re-send").isEmpty();
        LedgerEntry entry = ledger.get("w1");
        assertThat(entry.pending).isNull();
        assertThat(entry.reported).isEqualTo(5);
        assertThat(entry.sequence).isEqualTo(1);
        assertThat(entry.customerId).isEqualTo("cus_1");
        assertThat(entry.accepted).extracting(LedgerEntry.Accepted::identifier).containsExactly("mlid_w1_0");
        assertThat(entry.accepted.get(0).acceptedAt()).isEqualTo(1_000);
        assertThat(StreamRequestJournal.resolved(sent.deltas.get(0), entry)).isFalse();
        entry.confirmed(entry.accepted.get(0));
        assertThat(StreamRequestJournal.resolved(sent.deltas.get(0), entry)).isTrue();
    }

    @Test
    void acceptedDeltasOfOneWindowInSeveralRequestsAreAppliedOldestFirstWhateverTheirOrder() {
        LedgerEntry first = planned("w1", 0, 0, 5);
        LedgerEntry second = planned("w1", 5, 1, 3);
        Map<String, LedgerEntry> ledger = new HashMap<>();

        StreamRequestJournal.apply(List.of(acceptedRequest(2_000, second), acceptedRequest(1_000, first)), ledger);
        LedgerEntry entry = ledger.get("w1");
        assertThat(entry.reported).isEqualTo(8);
        assertThat(entry.sequence).isEqualTo(2);
        assertThat(entry.lastIdentifier).isEqualTo("mlid_w1_1");
        assertThat(entry.accepted).extracting(LedgerEntry.Accepted::identifier).containsExactly("mlid_w1_0", "mlid_w1_1");
        assertThat(entry.accepted.get(1).previousReported()).isEqualTo(5);
    }

    @Test
    void applyingTheJournalTwiceOrOverALedgerThatRecordedItChangesNothing() {
        LedgerEntry recorded = planned("w1", 0, 0, 5);
        StreamRequest sent = acceptedRequest(1_000, recorded);
        recorded.accepted(1_000);
        Map<String, LedgerEntry> ledger = new HashMap<>(Map.of("w1", recorded));

        StreamRequestJournal.apply(List.of(sent), ledger);
        StreamRequestJournal.apply(List.of(sent), ledger);
        assertThat(recorded.accepted).hasSize(1);
        assertThat(recorded.reported).isEqualTo(5);
        assertThat(recorded.sequence).isEqualTo(1);
    }

    @Test
    void anUnansweredDeltaAfterAnAcceptedOneIsPutBackAsPendingExactlyAsJournaled() {
        StreamRequest accepted = acceptedRequest(1_000, planned("w1", 0, 0, 5));
        StreamRequest unanswered = request(planned("w1", 5, 1, 4));
        Map<String, LedgerEntry> ledger = new HashMap<>();

        assertThat(StreamRequestJournal.apply(List.of(unanswered, accepted), ledger)).containsExactly("w1");
        LedgerEntry entry = ledger.get("w1");
        assertThat(entry.accepted).extracting(LedgerEntry.Accepted::identifier).containsExactly("mlid_w1_0");
        assertThat(entry.pending).isEqualTo(unanswered.deltas.get(0).pending());
        assertThat(entry.reported).as("the pending delta counts once it is answered").isEqualTo(5);
    }

    @Test
    void anErrorReportOnAJournalOnlyDeltaSendsExactlyThatDeltaBackToPlanning() {
        Map<String, LedgerEntry> ledger = new HashMap<>();
        StreamRequestJournal.apply(List.of(acceptedRequest(1_000, planned("w1", 0, 0, 5)),
                acceptedRequest(2_000, planned("w1", 5, 1, 3))), ledger);
        LedgerEntry entry = ledger.get("w1");

        entry.refused(entry.accepted.get(0), false, "no customer");
        assertThat(entry.reported).as("only the named delta's 5 leaves reported").isEqualTo(3);
        assertThat(entry.sequence).as("the re-planned delta gets a new identifier").isEqualTo(2);
        assertThat(entry.accepted).extracting(LedgerEntry.Accepted::identifier).containsExactly("mlid_w1_1");
    }
}
