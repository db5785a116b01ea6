package io.meterline.billing.reporting;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.meterline.billing.config.MongoCollections;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.MeterErrorReportDocument;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Stripe's meter error reports as webhook-service stores them ({@value BillingCollections#METER_ERROR_REPORTS}):
 * which of the identifiers a v2 stream accepted Stripe later refused (docs/decisions/0141).
 */
@ApplicationScoped
public class MeterErrorReports {

    private final MongoCollection<MeterErrorReportDocument> reports;

    public MeterErrorReports(MongoCollections collections) {
        this.reports = collections.collection(BillingCollections.METER_ERROR_REPORTS, MeterErrorReportDocument.class);
    }

    /**
     * Of {@code identifiers}, those named by a report received at or after {@code sinceMillis}, with the report's
     * summary. Reports are few (one per meter and validation window), so the recent ones are read whole (production:
     * an index on {@code receivedAt}).
     */
    public Map<String, String> refused(Set<String> identifiers, long sinceMillis) {
        Map<String, String> refused = new HashMap<>();
        for (MeterErrorReportDocument report : reports.find(Filters.gte("receivedAt", sinceMillis))) {
            for (String identifier : report.identifiers) {
                if (identifiers.contains(identifier)) {
                    refused.put(identifier, "Stripe error report " + report.id + ": " + report.summary);
                }
            }
        }
        return refused;
    }
}
