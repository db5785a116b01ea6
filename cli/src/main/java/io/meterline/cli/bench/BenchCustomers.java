package io.meterline.cli.bench;

import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.stripe.StripeClient;
import com.stripe.net.RequestOptions;
import com.stripe.model.Customer;
import com.stripe.model.Subscription;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.billing.SubscriptionItemDocument;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.codecs.pojo.PojoCodecProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark customers: one Stripe customer per subject ({@link ReportBenchmark#subject}) with a subscription to every
 * metered price, created at the stand-in through stripe-java and written to MongoDB in the shapes webhook-service
 * keeps (webhook-service itself is not started: its own benchmark measures it).
 */
final class BenchCustomers {

    private BenchCustomers() {
    }

    /** A Stripe call that may meet a connection the stand-in reset (a pooled keep-alive connection it closed). */
    private interface StripeCall<T> {
        T call() throws com.stripe.exception.StripeException;
    }

    private static <T> T retried(StripeCall<T> call) throws com.stripe.exception.StripeException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.call();
            } catch (com.stripe.exception.ApiConnectionException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Creates {@code count} customers; answers their Stripe ids by subject index. */
    static String[] create(String mongoConnectionString, StripeClient stripe, int count, List<String> prices,
            Map<String, String> eventNameByMeterId) throws Exception {
        String[] ids = new String[count];
        var registry = CodecRegistries.fromRegistries(MongoClientSettings.getDefaultCodecRegistry(),
                CodecRegistries.fromProviders(PojoCodecProvider.builder().automatic(true).build()));
        try (MongoClient mongo = MongoClients.create(mongoConnectionString)) {
            var db = mongo.getDatabase("meterline").withCodecRegistry(registry);
            var customerDocs = db.getCollection(BillingCollections.CUSTOMERS, CustomerDocument.class);
            var subscriptionDocs = db.getCollection(BillingCollections.SUBSCRIPTIONS, SubscriptionDocument.class);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> created = new ArrayList<>();
            for (int c = 0; c < count; c++) {
                int index = c;
                created.add(pool.submit(() -> {
                    String subject = ReportBenchmark.subject(index);
                    // one idempotency key per creation, so a retry after a reset connection creates nothing twice
                    Customer customer = retried(() -> stripe.v1().customers().create(CustomerCreateParams.builder()
                            .setName(subject).putMetadata("meterline_subject", subject).build(),
                            RequestOptions.builder().setIdempotencyKey("bench-customer-" + subject).build()));
                    SubscriptionCreateParams.Builder params = SubscriptionCreateParams.builder().setCustomer(customer.getId());
                    prices.forEach(p -> params.addItem(SubscriptionCreateParams.Item.builder().setPrice(p).build()));
                    Subscription subscription = retried(() -> stripe.v1().subscriptions().create(params.build(),
                            RequestOptions.builder().setIdempotencyKey("bench-subscription-" + subject).build()));
                    CustomerDocument cd = new CustomerDocument();
                    cd.id = customer.getId();
                    cd.subject = subject;
                    customerDocs.insertOne(cd);
                    SubscriptionDocument sd = new SubscriptionDocument();
                    sd.id = subscription.getId();
                    sd.customerId = customer.getId();
                    sd.status = subscription.getStatus();
                    subscription.getItems().getData().forEach(item -> {
                        SubscriptionItemDocument i = new SubscriptionItemDocument();
                        i.id = item.getId();
                        i.priceId = item.getPrice().getId();
                        i.meterId = item.getPrice().getRecurring().getMeter();
                        i.meterEventName = eventNameByMeterId.get(i.meterId);
                        sd.items.add(i);
                    });
                    subscriptionDocs.insertOne(sd);
                    ids[index] = customer.getId();
                    return null;
                }));
            }
            for (Future<?> f : created) {
                f.get();
            }
            pool.shutdown();
        }
        return ids;
    }
}
