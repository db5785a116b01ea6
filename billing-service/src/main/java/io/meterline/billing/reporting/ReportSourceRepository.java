package io.meterline.billing.reporting;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import io.meterline.billing.config.MongoCollections;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.usage.UsageWindowDocument;
import jakarta.enterprise.context.ApplicationScoped;

import org.bson.conversions.Bson;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;

/**
 * What reporting reads but does not own: ungrouped hourly windows (written by aggregation) and customers and
 * subscriptions (written by webhook-service with the POJO codec, so they are read with the same classes).
 */
@ApplicationScoped
public class ReportSourceRepository {

    private static final Bson VIEW = Projections.include("meter", "subject", "organization", "windowStart", "value",
            "aggregation", "version");

    private final MongoCollection<UsageWindowDocument> windows;
    private final MongoCollection<CustomerDocument> customers;
    private final MongoCollection<SubscriptionDocument> subscriptions;

    public ReportSourceRepository(MongoCollections collections) {
        this.windows = collections.collection(UsageWindowDocument.COLLECTION, UsageWindowDocument.class);
        this.customers = collections.collection(BillingCollections.CUSTOMERS).withDocumentClass(CustomerDocument.class);
        this.subscriptions = collections.collection(BillingCollections.SUBSCRIPTIONS)
                .withDocumentClass(SubscriptionDocument.class);
    }

    /** Receives each window read for a run, with the version read. */
    @FunctionalInterface
    public interface WindowSink {
        void accept(WindowView window, long version);
    }

    /** Every ungrouped window starting at or after {@code fromEpochSecond} (a full run: a scan). */
    public void forEachWindowSince(long fromEpochSecond, WindowSink sink) {
        forEach(Filters.and(Filters.eq("groupKey", ""), Filters.gte("windowStart", new Date(fromEpochSecond * 1000))), sink);
    }

    /** The windows with these ids (a run of changed windows: looked up by {@code _id}). */
    public void forEachWindow(Collection<String> ids, WindowSink sink) {
        MongoCollections.forEachById(windows, ids, VIEW, w -> sink.accept(view(w), w.version));
    }

    private void forEach(Bson filter, WindowSink sink) {
        for (UsageWindowDocument w : windows.find(filter).projection(VIEW).batchSize(MongoCollections.READ_BATCH)) {
            sink.accept(view(w), w.version);
        }
    }

    private static WindowView view(UsageWindowDocument w) {
        return new WindowView(w.meter, w.subject, w.organization, w.windowStart.getTime() / 1000, w.value, w.aggregation);
    }

    public CustomerDirectory directory() {
        return new CustomerDirectory(customers.find().into(new ArrayList<>()), subscriptions.find().into(new ArrayList<>()));
    }

    public List<SubscriptionDocument> subscriptions() {
        return subscriptions.find().into(new ArrayList<>());
    }
}
