package io.meterline.billing.reporting;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import io.meterline.billing.config.MongoCollections;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Report run records (collection {@value #COLLECTION}). */
@ApplicationScoped
public class ReportRunRepository {

    public static final String COLLECTION = "report_runs";

    private final MongoCollection<Document> runs;

    public ReportRunRepository(MongoCollections collections) {
        this.runs = collections.collection(COLLECTION);
    }

    public void save(ReportRun run) {
        runs.replaceOne(Filters.eq("_id", run.id), toDocument(run), new ReplaceOptions().upsert(true));
    }

    public ReportRun find(String id) {
        Document document = runs.find(Filters.eq("_id", id)).first();
        return document == null ? null : toDomain(document);
    }

    public List<ReportRun> recent(int limit) {
        List<ReportRun> found = new ArrayList<>();
        for (Document document : runs.find().sort(Sorts.descending("started")).limit(limit)) {
            found.add(toDomain(document));
        }
        return found;
    }

    private static Document toDocument(ReportRun run) {
        List<Document> errors = new ArrayList<>();
        for (ReportRun.ReportError e : run.errors) {
            errors.add(new Document("meter", e.meter()).append("subject", e.subject())
                    .append("window", e.window() == null ? null : Date.from(e.window()))
                    .append("customer", e.customer()).append("identifier", e.identifier()).append("status", e.status())
                    .append("code", e.code()).append("message", e.message()));
        }
        return new Document("_id", run.id)
                .append("trigger", run.trigger)
                .append("status", run.status)
                .append("started", date(run.started))
                .append("finished", date(run.finished))
                .append("dryRun", run.dryRun)
                .append("stripeApiBase", run.stripeApiBase)
                .append("total", run.total)
                .append("reported", run.reported)
                .append("reportedValue", run.reportedValue)
                .append("skipped", new Document(new TreeMap<String, Object>(run.skipped)))
                .append("failed", run.failed)
                .append("pendingResent", run.pendingResent)
                .append("duplicates", run.duplicates)
                .append("stripeCalls", run.stripeCalls)
                .append("errors", errors)
                .append("abortReason", run.abortReason);
    }

    private static ReportRun toDomain(Document d) {
        ReportRun run = new ReportRun();
        run.id = d.getString("_id");
        run.trigger = d.getString("trigger");
        run.status = d.getString("status");
        run.started = instant(d.getDate("started"));
        run.finished = instant(d.getDate("finished"));
        run.dryRun = Boolean.TRUE.equals(d.getBoolean("dryRun"));
        run.stripeApiBase = d.getString("stripeApiBase");
        run.total = number(d, "total");
        run.reported = number(d, "reported");
        run.reportedValue = number(d, "reportedValue");
        Document skipped = d.get("skipped", Document.class);
        Map<String, Long> counts = new TreeMap<>();
        if (skipped != null) {
            skipped.forEach((k, v) -> counts.put(k, ((Number) v).longValue()));
        }
        run.skipped = counts;
        run.failed = number(d, "failed");
        run.pendingResent = number(d, "pendingResent");
        run.duplicates = number(d, "duplicates");
        run.stripeCalls = number(d, "stripeCalls");
        for (Document e : d.getList("errors", Document.class, List.of())) {
            run.errors.add(new ReportRun.ReportError(e.getString("meter"), e.getString("subject"),
                    instant(e.getDate("window")), e.getString("customer"), e.getString("identifier"),
                    e.getInteger("status"), e.getString("code"), e.getString("message")));
        }
        run.abortReason = d.getString("abortReason");
        return run;
    }

    private static Date date(Instant instant) {
        return instant == null ? null : Date.from(instant);
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }

    private static long number(Document document, String field) {
        Object value = document.get(field);
        return value instanceof Number n ? n.longValue() : 0;
    }
}
