package io.meterline.billing.usage;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/usage/explain}: everything Meterline knows about one (meter, customer, hour), from the events counted
 * to what Stripe shows. {@code notes} says which facts are recorded only since a given version.
 */
public record UsageExplanation(String meter, String customer, Instant hour, Instant hourEnd, String aggregation,
        Double total, long billableUnits, long eventCount, long duplicatesDropped, long lateCount, List<LateEvent> lateEvents,
        Map<String, Long> deadLettered, Ledger ledger, List<Delta> deltas, List<Correction> corrections,
        long recoveredCounted, String skipReason, List<Recovered> recovered, Reconciliation reconciliation,
        List<String> notes) {

    /** An event counted after its window had closed. */
    public record LateEvent(Instant arrivedAt, Instant eventTime) {
    }

    /** What the report ledger says Stripe has for the window. */
    public record Ledger(String stripeCustomer, long reported, long deltasSent, String pendingIdentifier,
            Long pendingAmount, String lastError) {
    }

    /** One delta reported to Stripe: identifier, amount, event timestamp, when Stripe took it, and how. */
    public record Delta(String identifier, long amount, Instant timestamp, Instant deliveredAt, String outcome) {
    }

    /** A reconciliation correction for the window's customer, meter and hour. */
    public record Correction(String identifier, long amount, Instant timestamp, String status, String runId) {
    }

    /** A provider event ingested by a usage-source run because it had never arrived. */
    public record Recovered(String source, String id, Instant time, Double value, String runId, Instant recoveredAt) {
    }

    /** The latest reconciliation verdict and Stripe's number. */
    public record Reconciliation(String windowClass, Double stripe, long ledger, long meterline, String stripeCustomer,
            String runId, Instant checkedAt, String correctionIdentifier, String correctionStatus) {
    }
}
