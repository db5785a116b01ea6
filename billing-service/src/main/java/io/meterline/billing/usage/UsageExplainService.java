package io.meterline.billing.usage;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.meterline.billing.reconciliation.Correction;
import io.meterline.billing.reconciliation.ReconciliationRepository;
import io.meterline.billing.reconciliation.ReconciliationWindow;
import io.meterline.billing.reconciliation.RecoveredEvent;
import io.meterline.billing.reconciliation.SourceRepository;
import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.reporting.CustomerDirectory;
import io.meterline.billing.reporting.DeltaPlanner;
import io.meterline.billing.reporting.LedgerEntry;
import io.meterline.billing.reporting.ReportLedgerRepository;
import io.meterline.billing.reporting.ReportSourceRepository;
import io.meterline.billing.reporting.SkipReason;
import io.meterline.billing.reporting.StreamRequestJournal;
import io.meterline.billing.reporting.WindowView;
import io.meterline.billing.config.MongoCollections;
import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;
import io.meterline.model.usage.UsageWindowDocument;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Puts together {@link UsageExplanation}s from aggregation, the report ledger, reconciliation and the DLQ record. */
@ApplicationScoped
public class UsageExplainService {

    /** Facts recorded only since they were introduced: said in every answer, so a 0 is never misread. */
    static final List<String> NOTES = List.of(
            "duplicatesDropped, lateEvents and recoveredCounted are recorded per window since window state format 2"
                    + " (reconciliation release); events aggregated earlier are not in them",
            "deltas: recorded one by one since the same release; earlier windows show the ledger's last identifier only",
            "deadLettered: DLQ records are attributed to the customer (record key) and the hour of their time field");

    private final MongoCollection<Document> windows;
    private final ReportLedgerRepository ledger;
    private final ReportSourceRepository sources;
    private final ReconciliationRepository reconciliation;
    private final SourceRepository recovered;
    private final DeadLetterRecorder deadLetters;
    private final DeltaPlanner planner;
    private final StreamRequestJournal journal;

    public UsageExplainService(MongoCollections collections, ReportLedgerRepository ledger, ReportSourceRepository sources,
            ReconciliationRepository reconciliation, SourceRepository recovered, DeadLetterRecorder deadLetters,
            BillingConfig config, StreamRequestJournal journal) {
        this.journal = journal;
        this.windows = collections.collection(UsageWindowDocument.COLLECTION);
        this.ledger = ledger;
        this.sources = sources;
        this.reconciliation = reconciliation;
        this.recovered = recovered;
        this.deadLetters = deadLetters;
        this.planner = new DeltaPlanner(config.reporting().stripeWindow());
    }

    public UsageExplanation explain(MeterDefinition meter, String subject, Instant hour) {
        long start = hour.getEpochSecond();
        String id = UsageWindowDocument.idOf(meter.key(), subject, "", start);
        Document window = windows.find(Filters.eq("_id", id)).first();
        Double total = window == null ? null : number(window.get("value"));
        long eventCount = window == null ? 0 : (long) (double) number(window.get("eventCount"));
        String organization = window == null ? null : window.getString("organization");
        List<UsageExplanation.LateEvent> lateEvents = new ArrayList<>();
        if (window != null) {
            for (Document late : window.getList("lateArrivals", Document.class, List.of())) {
                lateEvents.add(new UsageExplanation.LateEvent(late.getDate("arrivedAt").toInstant(),
                        late.getDate("eventTime").toInstant()));
            }
        }

        // a v2 delta the stream accepted is in the journal until a later run confirms it into the ledger (0143)
        LedgerEntry entry = journal.upToDate(id, () -> ledger.find(id));
        List<UsageExplanation.Delta> deltas = new ArrayList<>();
        UsageExplanation.Ledger ledgerView = null;
        if (entry != null) {
            for (LedgerEntry.Delta d : entry.history) {
                deltas.add(new UsageExplanation.Delta(d.identifier(), d.amount(), Instant.ofEpochSecond(d.timestamp()),
                        Instant.ofEpochMilli(d.deliveredAt()), "accepted"));
            }
            for (LedgerEntry.Accepted a : entry.accepted) {
                deltas.add(new UsageExplanation.Delta(a.identifier(), a.amount(), Instant.ofEpochSecond(a.timestamp()),
                        Instant.ofEpochMilli(a.acceptedAt()), "awaiting_validation"));
            }
            if (entry.history.isEmpty() && entry.accepted.isEmpty() && entry.lastIdentifier != null) {
                // reported before deltas were recorded one by one: only the last identifier is known
                deltas.add(new UsageExplanation.Delta(entry.lastIdentifier, entry.reported, null, null, "accepted"));
            }
            ledgerView = new UsageExplanation.Ledger(entry.customerId, entry.reported, entry.sequence,
                    entry.pending == null ? null : entry.pending.identifier(),
                    entry.pending == null ? null : entry.pending.amount(), entry.lastError);
        }

        CustomerDirectory directory = sources.directory();
        String skipReason = null;
        if (window != null) {
            String aggregation = window.getString("aggregation");
            WindowView view = new WindowView(meter.key(), subject, organization, start, total,
                    aggregation == null ? meter.aggregation() : Aggregation.valueOf(aggregation));
            DeltaPlanner.Plan plan = planner.plan(view, meter, entry, directory, Instant.now());
            if (plan instanceof DeltaPlanner.Skip s && s.reason() != SkipReason.COUNTED) {
                skipReason = s.reason().code();
            }
        }
        CustomerDocument customer = directory.customerFor(subject, organization);
        List<UsageExplanation.Correction> corrections = new ArrayList<>();
        if (customer != null) {
            for (Correction c : reconciliation.correctionsOf(customer.id, meter.key(), start)) {
                corrections.add(new UsageExplanation.Correction(c.id, c.amount, Instant.ofEpochSecond(c.timestamp),
                        c.status, c.runId));
            }
        }
        List<UsageExplanation.Recovered> recoveredEvents = new ArrayList<>();
        for (RecoveredEvent e : recovered.recoveredIn(subject, start)) {
            if (e.type.equals(meter.eventType())) {
                recoveredEvents.add(new UsageExplanation.Recovered(e.source, e.eventId, e.time, e.value, e.runId,
                        e.recoveredAt));
            }
        }
        ReconciliationWindow latest = reconciliation.latest(meter.key(), subject, start);
        UsageExplanation.Reconciliation verdict = latest == null ? null : new UsageExplanation.Reconciliation(
                latest.windowClass, latest.stripe, latest.ledger, latest.meterline, latest.customerId, latest.runId,
                latest.checkedAt, latest.correctionIdentifier, latest.correctionStatus);
        return new UsageExplanation(meter.key(), subject, hour, hour.plusSeconds(3600), meter.aggregation().name(), total,
                total == null ? 0 : (long) Math.floor(total), eventCount, count(window, "duplicates"),
                count(window, "late"), lateEvents, deadLetters.countsByReason(subject, start), ledgerView, deltas,
                corrections, count(window, "reconciled"), skipReason, recoveredEvents, verdict, NOTES);
    }

    private static long count(Document window, String field) {
        Object value = window == null ? null : window.get(field);
        return value instanceof Number n ? n.longValue() : 0;
    }

    private static Double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : null;
    }
}
