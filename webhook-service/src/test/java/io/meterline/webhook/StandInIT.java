package io.meterline.webhook;

import com.mongodb.client.MongoClient;
import com.stripe.StripeClient;
import com.stripe.model.Customer;
import com.stripe.model.Price;
import com.stripe.model.Subscription;
import com.stripe.model.billing.Meter;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.billing.MeterCreateParams;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.devstack.testing.StripeStandInResource;
import io.meterline.webhook.config.WebhookConfig;
import io.meterline.webhook.support.Deliveries;
import io.meterline.webhook.support.StripeSigner;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static io.meterline.webhook.support.Mongo.byId;
import static io.meterline.webhook.support.Mongo.event;
import static io.meterline.webhook.support.StripeFixtures.event;
import static io.meterline.webhook.support.StripeFixtures.id;
import static io.meterline.webhook.support.StripeFixtures.json;
import static io.meterline.webhook.support.StripeFixtures.subscription;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Against the Stripe stand-in: objects created through stripe-java reach Mongo through the stand-in's signed
 * webhooks; same-second ties are settled by re-fetching; catch-up ingests what was never delivered.
 */
@QuarkusTest
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(value = StripeStandInResource.class, restrictToAnnotatedClass = true)
class StandInIT {

    private static String endpointId;

    @TestHTTPResource("/webhooks/stripe")
    URL webhookUrl;

    @Inject
    MongoClient mongo;

    @Inject
    MeterRegistry registry;

    private final StripeClient stripe = StripeClient.builder()
            .setApiKey(StripeStandInResource.API_KEY)
            .setApiBase(SharedInfrastructure.stripe().apiBase())
            .build();

    @Inject
    WebhookConfig config;

    /** The secret the application under test was actually configured with. */
    private String signingSecret() {
        return config.signingSecrets().get(0);
    }

    @BeforeEach
    void registerEndpoint() {
        if (endpointId == null) {
            endpointId = SharedInfrastructure.stripe().addWebhookEndpoint(webhookUrl.toString(),
                    signingSecret());
        }
    }

    @Test
    void meteredSubscriptionCreatedAtStripeLandsInMongoWithItsMeterEventName() throws Exception {
        String eventName = "api_requests_" + id("e").toLowerCase();
        Meter meter = stripe.v1().billing().meters().create(MeterCreateParams.builder()
                .setDisplayName("API requests").setEventName(eventName)
                .setDefaultAggregation(MeterCreateParams.DefaultAggregation.builder()
                        .setFormula(MeterCreateParams.DefaultAggregation.Formula.SUM).build())
                .build());
        Price price = stripe.v1().prices().create(PriceCreateParams.builder()
                .setCurrency("usd").setUnitAmountDecimal(new java.math.BigDecimal("0.5"))
                .setProductData(PriceCreateParams.ProductData.builder().setName("API").build())
                .setRecurring(PriceCreateParams.Recurring.builder()
                        .setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                        .setUsageType(PriceCreateParams.Recurring.UsageType.METERED)
                        .setMeter(meter.getId()).build())
                .build());
        String subject = "subject-" + id("s");
        Customer customer = stripe.v1().customers().create(CustomerCreateParams.builder()
                .setEmail("ops@example.com").putMetadata("meterline_subject", subject)
                .putMetadata("meterline_organization", "acme").build());
        Subscription subscription = stripe.v1().subscriptions().create(SubscriptionCreateParams.builder()
                .setCustomer(customer.getId())
                .addItem(SubscriptionCreateParams.Item.builder().setPrice(price.getId()).build())
                .build());
        String itemId = subscription.getItems().getData().get(0).getId();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            Document stored = byId(mongo, "stripe_subscriptions", subscription.getId());
            assertThat(stored).isNotNull();
            assertThat(stored.getString("customerId")).isEqualTo(customer.getId());
            assertThat(stored.getString("status")).isEqualTo(subscription.getStatus());
            List<Document> items = stored.getList("items", Document.class);
            assertThat(items).hasSize(1);
            // the MongoDB POJO codec stores every `id` property as `_id`, nested documents included
            assertThat(items.get(0).getString("_id")).isEqualTo(itemId);
            assertThat(items.get(0).getString("priceId")).isEqualTo(price.getId());
            assertThat(items.get(0).getString("meterId")).isEqualTo(meter.getId());
            assertThat(items.get(0).getString("meterEventName")).isEqualTo(eventName);
            assertThat(stored.getLong("currentPeriodEnd")).isGreaterThan(stored.getLong("currentPeriodStart"));
        });
        await().untilAsserted(() -> {
            Document storedCustomer = byId(mongo, "stripe_customers", customer.getId());
            assertThat(storedCustomer).isNotNull();
            assertThat(storedCustomer.getString("subject")).isEqualTo(subject);
            assertThat(storedCustomer.getString("organization")).isEqualTo("acme");
        });

        // a change at Stripe follows: the subscription is canceled
        stripe.v1().subscriptions().cancel(subscription.getId());
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(byId(mongo, "stripe_subscriptions", subscription.getId()).getString("status")).isEqualTo("canceled"));
    }

    @Test
    void sameSecondEventsAreSettledByStripesCurrentObject() throws Exception {
        Customer customer = stripe.v1().customers().create(CustomerCreateParams.builder().setEmail("tie@example.com").build());
        Price price = stripe.v1().prices().create(PriceCreateParams.builder()
                .setCurrency("usd").setUnitAmount(1000L)
                .setProductData(PriceCreateParams.ProductData.builder().setName("Seat").build())
                .setRecurring(PriceCreateParams.Recurring.builder()
                        .setInterval(PriceCreateParams.Recurring.Interval.MONTH).build())
                .build());
        Subscription subscription = stripe.v1().subscriptions().create(SubscriptionCreateParams.builder()
                .setCustomer(customer.getId())
                .addItem(SubscriptionCreateParams.Item.builder().setPrice(price.getId()).build()).build());
        String truth = subscription.getStatus();
        await().atMost(Duration.ofSeconds(15)).until(() -> byId(mongo, "stripe_subscriptions", subscription.getId()) != null);
        double resolvedBefore = registry.counter("webhook.order_ties", "resolved", "true").count();

        // two events of the same second whose order cannot be known from `created`; neither is Stripe's state
        long second = Instant.now().getEpochSecond() + 5;
        String a = id("evt");
        String b = id("evt");
        String itemId = subscription.getItems().getData().get(0).getId();
        deliverSigned(a, json(event(a, "customer.subscription.updated", second, subscription(subscription.getId(),
                customer.getId(), "past_due", itemId, price.getId(), null, second, second + 100))));
        deliverSigned(b, json(event(b, "customer.subscription.updated", second, subscription(subscription.getId(),
                customer.getId(), "unpaid", itemId, price.getId(), null, second, second + 100))));

        assertThat(byId(mongo, "stripe_subscriptions", subscription.getId()).getString("status")).isEqualTo(truth);
        assertThat(registry.counter("webhook.order_ties", "resolved", "true").count() - resolvedBefore).isEqualTo(1.0);
    }

    @Test
    void catchUpIngestsEventsMissedWhileTheEndpointWasNotRegistered() throws Exception {
        SharedInfrastructure.stripe().removeWebhookEndpoint(endpointId);
        Customer missed;
        try {
            missed = stripe.v1().customers().create(CustomerCreateParams.builder()
                    .setEmail("missed@example.com").putMetadata("meterline_subject", "subject-" + id("m")).build());
        } finally {
            endpointId = SharedInfrastructure.stripe().addWebhookEndpoint(webhookUrl.toString(),
                    signingSecret());
        }
        assertThat(byId(mongo, "stripe_customers", missed.getId())).isNull();

        String admin = SharedInfrastructure.jwt().token("operator", Set.of("admin"), List.of(), Duration.ofMinutes(5));
        int stored = given().auth().oauth2(admin).post("/admin/webhook-events/catch-up")
                .then().statusCode(200).extract().jsonPath().getInt("stored");

        assertThat(stored).isGreaterThanOrEqualTo(1);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            Document customer = byId(mongo, "stripe_customers", missed.getId());
            assertThat(customer).isNotNull();
            assertThat(customer.getString("email")).isEqualTo("missed@example.com");
        });
        // a second catch-up finds nothing new
        given().auth().oauth2(admin).post("/admin/webhook-events/catch-up")
                .then().statusCode(200).body("stored", org.hamcrest.Matchers.equalTo(0));
    }

    @Test
    void subscriptionStripeHasButThatIsNotStoredMakesReadinessDegradedAfterCatchUp() throws Exception {
        Customer customer = stripe.v1().customers().create(CustomerCreateParams.builder().setEmail("lost@example.com").build());
        Price price = stripe.v1().prices().create(PriceCreateParams.builder()
                .setCurrency("usd").setUnitAmount(500L)
                .setProductData(PriceCreateParams.ProductData.builder().setName("Seat").build())
                .setRecurring(PriceCreateParams.Recurring.builder()
                        .setInterval(PriceCreateParams.Recurring.Interval.MONTH).build())
                .build());
        Subscription subscription = stripe.v1().subscriptions().create(SubscriptionCreateParams.builder()
                .setCustomer(customer.getId())
                .addItem(SubscriptionCreateParams.Item.builder().setPrice(price.getId()).build()).build());
        String admin = SharedInfrastructure.jwt().token("operator", Set.of("admin"), List.of(), Duration.ofMinutes(5));
        given().auth().oauth2(admin).post("/admin/webhook-events/catch-up").then().statusCode(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> byId(mongo, "stripe_subscriptions", subscription.getId()) != null);
        // the stored copy is lost, and its events are all stored already: catch-up cannot bring it back
        mongo.getDatabase("meterline").getCollection("stripe_subscriptions")
                .deleteOne(new Document("_id", subscription.getId()));

        given().auth().oauth2(admin).post("/admin/webhook-events/catch-up").then().statusCode(200).body("stored",
                org.hamcrest.Matchers.equalTo(0));

        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'stripe sync' }.status", org.hamcrest.Matchers.equalTo("UP"))
                .body("checks.find { it.name == 'stripe sync' }.data.status", org.hamcrest.Matchers.equalTo("DEGRADED"))
                .body("checks.find { it.name == 'stripe sync' }.data.missingLocally", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
        // the gauge an alert watches (its value is per application; this JVM restarts several)
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("webhook_stripe_sync_missing_locally_overdue"));
    }

    private void deliverSigned(String eventId, String body) {
        Deliveries.deliver(body, StripeSigner.header(signingSecret(), body)).then().statusCode(200);
        await().untilAsserted(() -> assertThat(event(mongo, eventId).getString("status")).isEqualTo("processed"));
    }
}
