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

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;

/**
 * What reporting reads but does not own: ungrouped hourly windows (written by aggregation) and customers and
 * subscriptions (written by webhook-service with the POJO codec, so they are read with the same classes).
 */
@ApplicationScoped
public class ReportSourceRepository {

    private final MongoCollection<UsageWindowDocument> windows;
    private final MongoCollection<CustomerDocument> customers;
    private final MongoCollection<SubscriptionDocument> subscriptions;

    public ReportSourceRepository(MongoCollections collections) {
        this.windows = collections.collection(UsageWindowDocument.COLLECTION, UsageWindowDocument.class);
        this.customers = collections.collection(BillingCollections.CUSTOMERS).withDocumentClass(CustomerDocument.class);
        this.subscriptions = collections.collection(BillingCollections.SUBSCRIPTIONS)
                .withDocumentClass(SubscriptionDocument.class);
    }

    /** Every ungrouped window starting at or after {@code fromEpochSecond}. */
    public void forEachWindowSince(long fromEpochSecond, Consumer<WindowView> consumer) {
        for (UsageWindowDocument w : windows.find(Filters.and(Filters.eq("groupKey", ""),
                        Filters.gte("windowStart", new Date(fromEpochSecond * 1000))))
                .projection(Projections.include("meter", "subject", "organization", "windowStart", "value", "aggregation"))) {
            consumer.accept(new WindowView(w.meter, w.subject, w.organization, w.windowStart.getTime() / 1000, w.value,
                    w.aggregation));
        }
    }

    public CustomerDirectory directory() {
        return new CustomerDirectory(customers.find().into(new ArrayList<>()), subscriptions.find().into(new ArrayList<>()));
    }

    public List<SubscriptionDocument> subscriptions() {
        return subscriptions.find().into(new ArrayList<>());
    }
}
