package io.meterline.billing.reporting;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How a journaled v2 stream request is read against the ledger (decision 0142). */
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

        assertThat(StreamRequestJournal.restorePending(List.of(sent), ledger)).containsExactly("w1");
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

        assertThat(StreamRequestJournal.restorePending(List.of(sent), ledger)).containsExactly("w1");
        assertThat(ledger.get("w1").pending).isSameAs(failed.pending);
    }

    @Test
    void anAcceptedDeltaStaysJournaledUntilConfirmedOrRefused() {
        LedgerEntry entry = planned("w1", 0, 0, 5);
        StreamRequest sent = request(entry);
        entry.accepted(1_000);
        StreamRequest.Delta delta = sent.deltas.get(0);
        Map<String, LedgerEntry> ledger = new HashMap<>(Map.of("w1", entry));

        assertThat(StreamRequestJournal.restorePending(List.of(sent), ledger)).isEmpty();
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
        assertThat(StreamRequestJournal.restorePending(List.of(sent), new HashMap<>(Map.of("w1", entry)))).isEmpty();
        assertThat(entry.reported).isZero();
        assertThat(entry.sequence).as("sequence stays advanced: the next identifier is new").isEqualTo(1);
    }

    @Test
    void aDeltaAcceptedBeforeTheJournalExistedIsAdoptedAndResolvedOnceConfirmed() {
        LedgerEntry entry = planned("w1", 0, 0, 5);
        entry.accepted(1_000);
        StreamRequest adopted = StreamRequest.adopting(entry);

        assertThat(adopted.deltas).hasSize(1);
        assertThat(StreamRequestJournal.restorePending(List.of(adopted), new HashMap<>(Map.of("w1", entry)))).isEmpty();
        assertThat(StreamRequestJournal.resolved(adopted.deltas.get(0), entry)).isFalse();
        entry.confirmed(entry.accepted.get(0));
        assertThat(StreamRequestJournal.resolved(adopted.deltas.get(0), entry)).isTrue();
    }
}
