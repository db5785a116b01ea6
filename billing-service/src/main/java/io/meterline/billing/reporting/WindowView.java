package io.meterline.billing.reporting;

import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.UsageWindowDocument;

/** The part of an ungrouped hourly usage window that reporting needs. */
public record WindowView(String meter, String subject, String organization, long windowStart, double value,
        Aggregation aggregation) {

    /** The ledger key: one entry per (meter, subject, hour), like the window's own id without the group. */
    public String ledgerId() {
        return UsageWindowDocument.idOf(meter, subject, "", windowStart);
    }
}
