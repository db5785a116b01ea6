package io.meterline.webhook;

import com.mongodb.client.MongoClient;
import com.mongodb.client.model.Filters;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.webhook.support.Deliveries;
import io.meterline.webhook.support.StripeSigner;
import io.meterline.webhook.support.WebhookSecretsResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.meterline.webhook.support.Mongo.byId;
import static io.meterline.webhook.support.Mongo.collection;
import static io.meterline.webhook.support.Mongo.event;
import static io.meterline.webhook.support.StripeFixtures.checkoutSession;
import static io.meterline.webhook.support.StripeFixtures.customer;
import static io.meterline.webhook.support.StripeFixtures.id;
import static io.meterline.webhook.support.StripeFixtures.invoice;
import static io.meterline.webhook.support.StripeFixtures.json;
import static io.meterline.webhook.support.StripeFixtures.meterErrorReport;
import static io.meterline.webhook.support.StripeFixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(value = WebhookSecretsResource.class, restrictToAnnotatedClass = true)
class StripeWebhookIT {

    @Inject
    MongoClient mongo;

    @Inject
    MeterRegistry registry;

    @Test
    void validCustomerEventIsStoredAndApplied() {
        String customerId = id("cus");
        String eventId = id("evt");
        String body = json(io.meterline.webhook.support.StripeFixtures.event(eventId, "customer.created",
                Instant.now().getEpochSecond(), customer(customerId, "subject-" + customerId, "org-1")));

        Deliveries.deliver(body).then().statusCode(200)
                .body("id", equalTo(eventId)).body("duplicate", equalTo(false));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Document customer = byId(mongo, "stripe_customers", customerId);
            assertThat(customer).isNotNull();
            assertThat(customer.getString("subject")).isEqualTo("subject-" + customerId);
            assertThat(customer.getString("organization")).isEqualTo("org-1");
            assertThat(customer.getString("lastEventId")).isEqualTo(eventId);
        });
        await().untilAsserted(() -> assertThat(event(mongo, eventId).getString("status")).isEqualTo("processed"));
        assertThat(event(mongo, eventId).getString("payload")).isEqualTo(body);
    }

    @Test
    void tamperedBodyIsRejectedAndNothingStored() {
        String eventId = id("evt");
        String body = customerEvent(eventId);
        String header = StripeSigner.header(WebhookSecretsResource.newSecret(), body);
        String tampered = body.replace("customer.created", "customer.deleted");

        Deliveries.deliver(tampered, header).then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("invalid_signature"))
                .body("detail", containsString("does not match"));

        assertThat(event(mongo, eventId)).isNull();
    }

    @Test
    void signatureWithUnknownSecretIsRejectedAndNothingStored() {
        String eventId = id("evt");
        String body = customerEvent(eventId);

        Deliveries.deliver(body, StripeSigner.header("whsec_not_configured", body)).then().statusCode(400)
                .body("code", equalTo("invalid_signature"));

        assertThat(event(mongo, eventId)).isNull();
    }

    @Test
    void staleSignatureTimestampIsRejectedAndNothingStored() {
        String eventId = id("evt");
        String body = customerEvent(eventId);
        long sixMinutesAgo = Instant.now().minusSeconds(360).getEpochSecond();

        Deliveries.deliver(body, StripeSigner.header(WebhookSecretsResource.newSecret(), body, sixMinutesAgo))
                .then().statusCode(400)
                .body("code", equalTo("stale_signature"))
                .body("detail", containsString("tolerance"));

        assertThat(event(mongo, eventId)).isNull();
    }

    @Test
    void deliveryWithoutSignatureIsRejected() {
        String eventId = id("evt");
        io.restassured.RestAssured.given().contentType("application/json").body(customerEvent(eventId))
                .post("/webhooks/stripe").then().statusCode(400).body("detail", containsString("missing"));
        assertThat(event(mongo, eventId)).isNull();
    }

    @Test
    void bothSecretsAreAcceptedDuringRotation() {
        String oldEvent = id("evt");
        String newEvent = id("evt");
        String oldBody = customerEvent(oldEvent);
        String newBody = customerEvent(newEvent);

        Deliveries.deliver(oldBody, StripeSigner.header(WebhookSecretsResource.oldSecret(), oldBody)).then().statusCode(200);
        Deliveries.deliver(newBody, StripeSigner.header(WebhookSecretsResource.newSecret(), newBody)).then().statusCode(200);

        assertThat(event(mongo, oldEvent)).isNotNull();
        assertThat(event(mongo, newEvent)).isNotNull();
    }

    @Test
    void sameEventDeliveredTenTimesConcurrentlyIsStoredAndAppliedOnce() throws Exception {
        String customerId = id("cus");
        String eventId = id("evt");
        String body = json(io.meterline.webhook.support.StripeFixtures.event(eventId, "customer.created",
                Instant.now().getEpochSecond(), customer(customerId, "subject-" + customerId, null)));
        double appliedBefore = registry.counter("webhook.events.processed", "outcome", "applied").count();
        double duplicatesBefore = registry.counter("webhook.events.duplicate").count();

        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<Callable<Response>> deliveries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            deliveries.add(() -> Deliveries.deliver(body));
        }
        List<Boolean> duplicates = new ArrayList<>();
        for (Future<Response> answer : pool.invokeAll(deliveries)) {
            Response response = answer.get();
            assertThat(response.statusCode()).isEqualTo(200);
            duplicates.add(response.jsonPath().getBoolean("duplicate"));
        }
        pool.shutdown();

        assertThat(duplicates).containsOnlyOnce(false);
        assertThat(collection(mongo, "stripe_webhook_events").countDocuments(Filters.eq("_id", eventId))).isEqualTo(1);
        await().untilAsserted(() -> assertThat(event(mongo, eventId).getString("status")).isEqualTo("processed"));
        assertThat(event(mongo, eventId).getInteger("attempts")).isEqualTo(1);
        assertThat(registry.counter("webhook.events.processed", "outcome", "applied").count() - appliedBefore).isEqualTo(1.0);
        assertThat(registry.counter("webhook.events.duplicate").count() - duplicatesBefore).isEqualTo(9.0);
    }

    @Test
    void unknownEventTypeIsStoredAcknowledgedAndIgnored() {
        String eventId = id("evt");
        String body = json(io.meterline.webhook.support.StripeFixtures.event(eventId, "plan.created",
                Instant.now().getEpochSecond(), resource("price")));

        Deliveries.deliver(body).then().statusCode(200);

        await().untilAsserted(() -> {
            Document stored = event(mongo, eventId);
            assertThat(stored.getString("status")).isEqualTo("processed");
            assertThat(stored.getString("outcome")).isEqualTo("ignored");
        });
    }

    @Test
    void failedPaymentMarksCustomerDelinquentAndLaterPaymentClearsIt() {
        String customerId = id("cus");
        long now = Instant.now().getEpochSecond();
        Deliveries.deliver(json(io.meterline.webhook.support.StripeFixtures.event(id("evt"), "invoice.payment_failed",
                now - 10, invoice(id("in"), customerId, "open")))).then().statusCode(200);
        // the customer document appears with the first processed event: assert it exists before reading it
        await().untilAsserted(() -> assertThat(byId(mongo, "stripe_customers", customerId))
                .isNotNull().containsEntry("delinquent", true));

        Deliveries.deliver(json(io.meterline.webhook.support.StripeFixtures.event(id("evt"), "invoice.paid",
                now, invoice(id("in"), customerId, "paid")))).then().statusCode(200);
        await().untilAsserted(() -> assertThat(byId(mongo, "stripe_customers", customerId).getBoolean("delinquent")).isFalse());

        // an older failure delivered late does not flag a customer who has paid since
        String late = id("evt");
        Deliveries.deliver(json(io.meterline.webhook.support.StripeFixtures.event(late, "invoice.payment_failed",
                now - 5, invoice(id("in"), customerId, "open")))).then().statusCode(200);
        await().untilAsserted(() -> assertThat(event(mongo, late).getString("outcome")).isEqualTo("stale"));
        assertThat(byId(mongo, "stripe_customers", customerId).getBoolean("delinquent")).isFalse();
    }

    @Test
    void completedCheckoutLinksTheClientReferenceAsSubject() {
        String customerId = id("cus");
        long now = Instant.now().getEpochSecond();
        Deliveries.deliver(json(io.meterline.webhook.support.StripeFixtures.event(id("evt"), "checkout.session.completed",
                now, checkoutSession(id("cs"), customerId, "subject-" + customerId)))).then().statusCode(200);
        await().untilAsserted(() -> {
            Document linked = byId(mongo, "stripe_customers", customerId);
            assertThat(linked).isNotNull();
            assertThat(linked.getString("subject")).isEqualTo("subject-" + customerId);
        });

        // the customer.created that Stripe sends around the same time, without metadata, keeps the link
        String created = id("evt");
        Deliveries.deliver(json(io.meterline.webhook.support.StripeFixtures.event(created, "customer.created",
                now - 1, customer(customerId, null, null)))).then().statusCode(200);
        await().untilAsserted(() -> assertThat(event(mongo, created).getString("status")).isEqualTo("processed"));
        Document customer = byId(mongo, "stripe_customers", customerId);
        assertThat(customer.getString("subject")).isEqualTo("subject-" + customerId);
        assertThat(customer.getString("email")).isEqualTo(customerId + "@example.com");
    }

    @Test
    void meterErrorReportIsStoredWhereBillingReadsIt() {
        String eventId = id("evt");
        String meterId = id("mtr");
        String body = json(meterErrorReport(eventId, meterId, "2026-01-02T03:04:05.678Z"));
        double before = registry.counter("webhook.meter_error_reports").count();

        Deliveries.deliver(body).then().statusCode(200).body("type", equalTo("v1.billing.meter.error_report_triggered"));

        await().untilAsserted(() -> {
            Document report = byId(mongo, "stripe_meter_error_reports", eventId);
            assertThat(report).isNotNull();
            assertThat(report.getString("meterId")).isEqualTo(meterId);
            assertThat(report.getLong("errorCount")).isEqualTo(2L);
            assertThat(report.getString("summary")).contains("could not be processed");
            assertThat(report.getList("errorTypes", Document.class).get(0).getString("code"))
                    .isEqualTo("meter_event_customer_not_found");
            // billing re-plans a delta its v2 stream had accepted when its identifier is named here
            assertThat(report.getList("identifiers", String.class)).containsExactly("ml-123");
        });
        assertThat(registry.counter("webhook.meter_error_reports").count() - before).isEqualTo(1.0);
        assertThat(event(mongo, eventId).getLong("created")).isEqualTo(Instant.parse("2026-01-02T03:04:05Z").getEpochSecond());
    }

    private static String customerEvent(String eventId) {
        return json(io.meterline.webhook.support.StripeFixtures.event(eventId, "customer.created",
                Instant.now().getEpochSecond(), customer(id("cus"), null, null)));
    }
}
