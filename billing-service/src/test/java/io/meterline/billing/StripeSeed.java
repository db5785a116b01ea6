package io.meterline.billing;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.Price;
import com.stripe.model.Subscription;
import com.stripe.model.billing.Meter;
import com.stripe.model.billing.MeterEventSummary;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.billing.MeterCreateParams;
import com.stripe.param.billing.MeterEventSummaryListParams;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.devstack.testing.StripeStandInResource;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.billing.SubscriptionItemDocument;
import io.meterline.model.usage.Aggregation;
import io.meterline.billing.usage.WindowChangeRepository;
import io.meterline.model.usage.UsageWindowDocument;
import io.meterline.model.usage.Windows;
import io.restassured.path.json.JsonPath;
import org.bson.Document;

import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;

/**
 * Test data in the two places reporting reads it from: Stripe objects created in the stand-in through stripe-java,
 * and the MongoDB documents webhook-service would have written for them (same POJO classes, same codec).
 */
final class StripeSeed {

    /** A Stripe billing meter with its metered price. */
    record Metered(String meterId, String eventName, String priceId) {
    }

    final StripeClient stripe = StripeClient.builder().setApiKey(StripeStandInResource.API_KEY)
            .setApiBase(SharedInfrastructure.stripe().apiBase()).build();
    final MongoDatabase db;
    private String seatPrice;

    StripeSeed(MongoClient client) {
        this.db = client.getDatabase("meterline");
    }

    Metered metered(String eventName, MeterCreateParams.DefaultAggregation.Formula formula) throws StripeException {
        Meter meter = stripe.v1().billing().meters().create(MeterCreateParams.builder().setDisplayName(eventName)
                .setEventName(eventName)
                .setDefaultAggregation(MeterCreateParams.DefaultAggregation.builder().setFormula(formula).build()).build());
        Price price = stripe.v1().prices().create(PriceCreateParams.builder().setCurrency("usd").setUnitAmount(1L)
                .setProductData(PriceCreateParams.ProductData.builder().setName(eventName).build())
                .setRecurring(PriceCreateParams.Recurring.builder().setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                        .setUsageType(PriceCreateParams.Recurring.UsageType.METERED).setMeter(meter.getId()).build())
                .build());
        return new Metered(meter.getId(), eventName, price.getId());
    }

    /** A Meterline SUM meter {@code key} and the Stripe meter (formula sum) and metered price it reports to. */
    Metered sumMeter(String key) throws StripeException {
        Metered metered = metered(key.replace('-', '_'), MeterCreateParams.DefaultAggregation.Formula.SUM);
        meter(key, Aggregation.SUM, metered.eventName(), metered.priceId());
        return metered;
    }

    /** A Stripe customer for a subject or an organization, and its MongoDB document. */
    String customer(String subject, String organization) throws StripeException {
        CustomerCreateParams.Builder params = CustomerCreateParams.builder().setName(subject != null ? subject : organization);
        if (subject != null) {
            params.putMetadata("meterline_subject", subject);
        }
        if (organization != null) {
            params.putMetadata("meterline_organization", organization);
        }
        Customer customer = stripe.v1().customers().create(params.build());
        CustomerDocument document = new CustomerDocument();
        document.id = customer.getId();
        document.subject = subject;
        document.organization = organization;
        document.lastEventCreated = customer.getCreated();
        db.getCollection(BillingCollections.CUSTOMERS, CustomerDocument.class)
                .replaceOne(Filters.eq("_id", document.id), document, new ReplaceOptions().upsert(true));
        return customer.getId();
    }

    /** A subscription with items for {@code metered} prices (a licensed seat when none), in {@code status}. */
    String subscription(String customerId, String status, Metered... metered) throws StripeException {
        SubscriptionCreateParams.Builder params = SubscriptionCreateParams.builder().setCustomer(customerId);
        if (metered.length == 0) {
            params.addItem(SubscriptionCreateParams.Item.builder().setPrice(seatPrice()).setQuantity(1L).build());
        }
        Map<String, Metered> byPrice = new HashMap<>();
        for (Metered m : metered) {
            params.addItem(SubscriptionCreateParams.Item.builder().setPrice(m.priceId()).build());
            byPrice.put(m.priceId(), m);
        }
        Subscription subscription = stripe.v1().subscriptions().create(params.build());
        if (!status.equals("active")) {
            SharedInfrastructure.stripe().setSubscriptionStatus(subscription.getId(), status);
        }
        SubscriptionDocument document = new SubscriptionDocument();
        document.id = subscription.getId();
        document.customerId = customerId;
        document.status = status;
        subscription.getItems().getData().forEach(item -> {
            SubscriptionItemDocument i = new SubscriptionItemDocument();
            i.id = item.getId();
            i.priceId = item.getPrice().getId();
            i.meterId = item.getPrice().getRecurring().getMeter();
            Metered m = byPrice.get(i.priceId);
            i.meterEventName = m == null ? null : m.eventName();
            document.items.add(i);
        });
        db.getCollection(BillingCollections.SUBSCRIPTIONS, SubscriptionDocument.class)
                .replaceOne(Filters.eq("_id", document.id), document, new ReplaceOptions().upsert(true));
        return subscription.getId();
    }

    private String seatPrice() throws StripeException {
        if (seatPrice == null) {
            seatPrice = stripe.v1().prices().create(PriceCreateParams.builder().setCurrency("usd").setUnitAmount(900L)
                    .setProductData(PriceCreateParams.ProductData.builder().setName("Seat").build())
                    .setRecurring(PriceCreateParams.Recurring.builder()
                            .setInterval(PriceCreateParams.Recurring.Interval.MONTH).build()).build()).getId();
        }
        return seatPrice;
    }

    /** A Meterline meter reporting to {@code eventName}, through the meters API. */
    static void meter(String key, Aggregation aggregation, String eventName, String priceId) {
        Map<String, Object> body = new HashMap<>();
        body.put("eventType", "report." + key);
        body.put("aggregation", aggregation.name());
        if (aggregation != Aggregation.COUNT) {
            body.put("valuePath", "n");
        }
        body.put("stripeEventName", eventName);
        if (priceId != null) {
            body.put("stripePriceId", priceId);
        }
        BillingApi.putMeter(key, body);
    }

    /** An ungrouped hourly window, as aggregation writes it. */
    void window(String meter, String subject, String organization, Instant hour, double value, Aggregation aggregation) {
        long start = Windows.hourStart(hour).getEpochSecond();
        String id = UsageWindowDocument.idOf(meter, subject, "", start);
        long version = System.nanoTime();
        // as aggregation's writer does: the change mark first (reporting reads the marked windows), then the window
        WindowChangeRepository.mark(db, List.of(new WindowChangeRepository.Mark(id, version)));
        Document document = new Document("_id", id).append("meter", meter).append("subject", subject)
                .append("organization", organization).append("groupKey", "").append("group", new Document())
                .append("windowStart", new Date(start * 1000)).append("windowEnd", new Date((start + 3600) * 1000))
                .append("aggregation", aggregation.name()).append("value", value).append("eventCount", 1L)
                .append("version", version).append("updatedAt", new Date())
                .append("sum", value).append("min", value).append("max", value)
                .append("lastTime", start * 1000).append("lastValue", value).append("uniques", List.of());
        db.getCollection(UsageWindowDocument.COLLECTION).replaceOne(Filters.eq("_id", id), document,
                new ReplaceOptions().upsert(true));
    }

    /** Stripe's hourly summary for a customer, read back through stripe-java. */
    long stripeHourTotal(Metered metered, String customerId, Instant hour) throws StripeException {
        long start = Windows.hourStart(hour).getEpochSecond();
        List<MeterEventSummary> summaries = stripe.v1().billing().meters().eventSummaries().list(metered.meterId(),
                MeterEventSummaryListParams.builder().setCustomer(customerId).setStartTime(start).setEndTime(start + 3600)
                        .build()).getData();
        return summaries.isEmpty() ? 0 : summaries.get(0).getAggregatedValue().longValueExact();
    }

    Document ledger(String meter, String subject, Instant hour) {
        return db.getCollection("report_ledger")
                .find(Filters.eq("_id", UsageWindowDocument.idOf(meter, subject, "", Windows.hourStart(hour).getEpochSecond())))
                .first();
    }

    static JsonPath report() {
        return given().auth().oauth2(BillingApi.admin()).post("/admin/report-runs").then().statusCode(201).extract().jsonPath();
    }
}
