package io.meterline.webhook;

import com.mongodb.client.MongoClient;
import com.mongodb.client.model.Filters;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.webhook.domain.EventStatus;
import io.meterline.webhook.repository.WebhookEventRepository;
import io.meterline.webhook.service.WebhookMetrics;
import io.meterline.webhook.support.Deliveries;
import io.meterline.webhook.support.WebhookSecretsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.meterline.webhook.support.Mongo.byId;
import static io.meterline.webhook.support.Mongo.collection;
import static io.meterline.webhook.support.Mongo.event;
import static io.meterline.webhook.support.StripeFixtures.customer;
import static io.meterline.webhook.support.StripeFixtures.event;
import static io.meterline.webhook.support.StripeFixtures.id;
import static io.meterline.webhook.support.StripeFixtures.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * A handler that fails for real: a customer claims a Meterline subject another live customer already pays for,
 * which processing refuses (billing could not tell whom to bill). Test config: 3 attempts, 100 ms initial backoff.
 */
@QuarkusTest
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(value = WebhookSecretsResource.class, restrictToAnnotatedClass = true)
class RetryAndReplayIT {

    @Inject
    MongoClient mongo;

    @Inject
    WebhookEventRepository storedEvents;


    @Test
    void failingEventIsRetriedWithBackoffThenDeadThenAppliedOnReplay() {
        String subject = "subject-" + id("s");
        String holder = id("cus");
        String claimant = id("cus");
        long t = Instant.now().getEpochSecond() - 100;
        String holderCreated = id("evt");
        String claim = id("evt");
        deliverAndAwaitStatus(holderCreated, json(event(holderCreated, "customer.created", t, customer(holder, subject, null))),
                "processed");

        deliverAndAwaitStatus(claim, json(event(claim, "customer.created", t + 1, customer(claimant, subject, null))), "dead");

        Document dead = event(mongo, claim);
        assertThat(dead.getInteger("attempts")).isEqualTo(3);
        assertThat(dead.getString("lastError")).contains("already billed to live customer " + holder);
        // backoff: 100 ms then 200 ms between the three attempts
        assertThat(dead.getDate("deadAt").getTime() - dead.getDate("receivedAt").getTime()).isGreaterThanOrEqualTo(300);
        assertThat(byId(mongo, "stripe_customers", claimant)).isNull();
        given().auth().oauth2(adminToken()).queryParam("status", "dead").get("/admin/webhook-events")
                .then().statusCode(200).body("status", equalTo("dead")).body("items.id", hasItem(claim));
        // the queue gauges operators alert on are recounted from this one query (their registration in a test JVM
        // outlives the Quarkus restarts between test classes, so their value is checked at the source)
        Map<EventStatus, Long> counts = storedEvents.countByStatus(WebhookMetrics.QUEUED);
        for (EventStatus status : WebhookMetrics.QUEUED) {
            assertThat(counts.get(status)).as(status.wire())
                    .isEqualTo(collection(mongo, "stripe_webhook_events").countDocuments(Filters.eq("status", status.wire())));
        }
        assertThat(counts.get(EventStatus.DEAD)).isPositive();

        // the operator resolves the conflict in Stripe (the old customer is deleted), then replays
        String holderDeleted = id("evt");
        deliverAndAwaitStatus(holderDeleted, json(event(holderDeleted, "customer.deleted", t + 2, customer(holder, subject, null))),
                "processed");
        given().auth().oauth2(adminToken()).post("/admin/webhook-events/" + claim + "/replay")
                .then().statusCode(200).body("status", equalTo("pending")).body("attempts", equalTo(0));

        await().untilAsserted(() -> assertThat(event(mongo, claim).getString("status")).isEqualTo("processed"));
        assertThat(event(mongo, claim).getString("outcome")).isEqualTo("applied");
        assertThat(byId(mongo, "stripe_customers", claimant).getString("subject")).isEqualTo(subject);
    }

    @Test
    void replayAllDeadReplaysEveryDeadEvent() {
        long t = Instant.now().getEpochSecond() - 100;
        String subjectA = "subject-" + id("a");
        String subjectB = "subject-" + id("b");
        String holderA = id("cus");
        String holderB = id("cus");
        String holderACreated = id("evt");
        String holderBCreated = id("evt");
        deliverAndAwaitStatus(holderACreated, json(event(holderACreated, "customer.created", t, customer(holderA, subjectA, null))),
                "processed");
        deliverAndAwaitStatus(holderBCreated, json(event(holderBCreated, "customer.created", t, customer(holderB, subjectB, null))),
                "processed");
        String claimA = id("evt");
        String claimB = id("evt");
        String claimantA = id("cus");
        String claimantB = id("cus");
        deliverAndAwaitStatus(claimA, json(event(claimA, "customer.created", t + 1, customer(claimantA, subjectA, null))), "dead");
        deliverAndAwaitStatus(claimB, json(event(claimB, "customer.created", t + 1, customer(claimantB, subjectB, null))), "dead");

        String deletedA = id("evt");
        String deletedB = id("evt");
        deliverAndAwaitStatus(deletedA, json(event(deletedA, "customer.deleted", t + 2, customer(holderA, subjectA, null))),
                "processed");
        deliverAndAwaitStatus(deletedB, json(event(deletedB, "customer.deleted", t + 2, customer(holderB, subjectB, null))),
                "processed");
        List<String> replayed = given().auth().oauth2(adminToken()).post("/admin/webhook-events/replay-dead")
                .then().statusCode(200).extract().jsonPath().getList("ids", String.class);

        assertThat(replayed).contains(claimA, claimB);
        await().untilAsserted(() -> {
            assertThat(event(mongo, claimA).getString("status")).isEqualTo("processed");
            assertThat(event(mongo, claimB).getString("status")).isEqualTo("processed");
        });
        assertThat(byId(mongo, "stripe_customers", claimantA).getString("subject")).isEqualTo(subjectA);
        assertThat(byId(mongo, "stripe_customers", claimantB).getString("subject")).isEqualTo(subjectB);
    }

    @Test
    void eventLeftProcessingByACrashedWorkerIsProcessedAgain() {
        String customerId = id("cus");
        String eventId = id("evt");
        String payload = json(event(eventId, "customer.created", Instant.now().getEpochSecond(), customer(customerId, null, null)));
        Date past = Date.from(Instant.now().minusSeconds(5));
        // exactly what a worker that died mid-processing leaves behind: claimed, lease expired, never completed
        collection(mongo, "stripe_webhook_events").insertOne(new Document("_id", eventId)
                .append("type", "customer.created").append("created", Instant.now().getEpochSecond())
                .append("source", "webhook").append("status", "processing").append("attempts", 1).append("version", 1L)
                .append("leaseUntil", past).append("leaseOwner", "worker-that-crashed")
                .append("nextAttemptAt", past).append("receivedAt", past).append("payload", payload));

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(event(mongo, eventId).getString("status")).isEqualTo("processed"));
        assertThat(event(mongo, eventId).getInteger("attempts")).isEqualTo(2);
        assertThat(byId(mongo, "stripe_customers", customerId)).isNotNull();
    }

    @Test
    void adminEndpointsNeedTheAdminRole() {
        given().get("/admin/webhook-events").then().statusCode(401);
        String reader = SharedInfrastructure.jwt().token("reader", Set.of("usage:read"), List.of(), Duration.ofMinutes(5));
        given().auth().oauth2(reader).get("/admin/webhook-events").then().statusCode(403);
        given().auth().oauth2(adminToken()).post("/admin/webhook-events/evt_unknown/replay")
                .then().statusCode(404).contentType("application/problem+json").body("code", equalTo("event_not_found"));
        given().auth().oauth2(adminToken()).queryParam("status", "bogus").get("/admin/webhook-events")
                .then().statusCode(400).body("code", equalTo("invalid_request"));
    }

    @Test
    void catchUpWithoutStripeKeySaysSo() {
        given().auth().oauth2(adminToken()).post("/admin/webhook-events/catch-up")
                .then().statusCode(409).body("code", equalTo("stripe_not_configured"));
    }

    private void deliverAndAwaitStatus(String eventId, String body, String status) {
        Deliveries.deliver(body).then().statusCode(200);
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(event(mongo, eventId).getString("status")).isEqualTo(status));
    }

    private static String adminToken() {
        return SharedInfrastructure.jwt().token("operator", Set.of("admin"), List.of(), Duration.ofMinutes(5));
    }
}
