package io.meterline.webhook.repository;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.MeterErrorReportDocument;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/** Stripe's meter error reports ({@code stripe_meter_error_reports}), one per Stripe event. */
@ApplicationScoped
public class MeterErrorReportRepository {

    private final MongoCollection<MeterErrorReportDocument> reports;

    public MeterErrorReportRepository(MongoDatabases databases) {
        this.reports = databases.blocking().getCollection(BillingCollections.METER_ERROR_REPORTS, MeterErrorReportDocument.class);
    }

    /** Idempotent: the same event stored twice is one report. */
    public void save(MeterErrorReportDocument report) {
        reports.replaceOne(Filters.eq("_id", report.id), report, new ReplaceOptions().upsert(true));
    }

    public List<MeterErrorReportDocument> latest(int limit) {
        return reports.find().sort(Sorts.descending("created")).limit(limit).into(new ArrayList<>());
    }
}
