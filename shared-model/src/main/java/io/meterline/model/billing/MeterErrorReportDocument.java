package io.meterline.model.billing;

import java.util.ArrayList;
import java.util.List;

/**
 * A reporting error Stripe raised about meter events Meterline sent ({@code v1.billing.meter.error_report_triggered}).
 * Written by webhook-service (one document per Stripe event, {@code id} = event id), read by billing-service to
 * surface failed reports and to re-plan deltas its v2 meter event stream had accepted.
 */
public class MeterErrorReportDocument {
    /** Stripe event id, {@code evt_…}. */
    public String id;
    /** Stripe billing meter id the errors are about. */
    public String meterId;
    /** When Stripe raised the report, epoch seconds. */
    public long created;
    /** Stripe's one-line summary for developers, when the event carried it. */
    public String summary;
    /** Number of meter events in error, when the event carried it. */
    public long errorCount;
    /** Start and end of the window Stripe validated, epoch seconds; 0 when unknown. */
    public long validationStart;
    public long validationEnd;
    public List<ErrorType> errorTypes = new ArrayList<>();
    /**
     * Identifiers of the meter events the report names (from its samples): billing-service sends a delta its v2
     * stream had accepted back to planning when its identifier is here (docs/decisions/0141).
     */
    public List<String> identifiers = new ArrayList<>();
    /** When webhook-service stored the report, epoch milliseconds. */
    public long receivedAt;

    /** One kind of error with a few samples. */
    public static class ErrorType {
        /** Stripe's error code, e.g. {@code no_meter}, {@code meter_event_customer_not_found}. */
        public String code;
        public long errorCount;
        /** Sample error messages with the meter event identifier they concern. */
        public List<String> samples = new ArrayList<>();
    }
}
