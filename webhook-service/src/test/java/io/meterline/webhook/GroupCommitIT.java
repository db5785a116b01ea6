package io.meterline.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.model.Filters;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.webhook.support.Deliveries;
import io.meterline.webhook.support.GroupCommitResource;
import io.meterline.webhook.support.StripeSigner;
import io.meterline.webhook.support.WebhookSecretsResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.meterline.webhook.support.Mongo.byId;
import static io.meterline.webhook.support.Mongo.collection;
import static io.meterline.webhook.support.Mongo.event;
import static io.meterline.webhook.support.StripeFixtures.customer;
import static io.meterline.webhook.support.StripeFixtures.id;
import static io.meterline.webhook.support.StripeFixtures.json;
import static io.meterline.webhook.support.StripeFixtures.subscription;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Deliveries arriving together are stored by one group commit (docs/decisions/0150) and processed in rounds; these
 * tests send them concurrently through HTTP to the real Mongo-wire server and check what each sender was answered
 * against what is stored.
 */
@QuarkusTest
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(value = WebhookSecretsResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = GroupCommitResource.class, restrictToAnnotatedClass = true)
class GroupCommitIT {

    @Inject
    MongoClient mongo;

    @Inject
    MeterRegistry registry;

    @Test
    void concurrentDeliveriesOfOneIdAmongOthersYieldOneStoredEventAndRedeliveryAnswers() throws Exception {
        String repeatedId = id("evt");
        String repeated = customerEvent(repeatedId);
        List<String> others = new ArrayList<>();
        List<Callable<Response>> deliveries = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            deliveries.add(() -> Deliveries.deliver(repeated));
            String otherId = id("evt");
            others.add(otherId);
            String other = customerEvent(otherId);
            deliveries.add(() -> Deliveries.deliver(other));
        }
        double duplicatesBefore = registry.counter("webhook.events.duplicate").count();

        List<Response> answers = sendTogether(deliveries);

        List<Boolean> repeatedAnswers = new ArrayList<>();
        for (Response answer : answers) {
            assertThat(answer.statusCode()).isEqualTo(200);
            if (answer.jsonPath().getString("id").equals(repeatedId)) {
                repeatedAnswers.add(answer.jsonPath().getBoolean("duplicate"));
            } else {
                assertThat(answer.jsonPath().getBoolean("duplicate")).isFalse();
            }
        }
        assertThat(repeatedAnswers).hasSize(20).containsOnlyOnce(false);
        assertThat(registry.counter("webhook.events.duplicate").count() - duplicatesBefore).isEqualTo(19.0);
        assertThat(collection(mongo, "stripe_webhook_events").countDocuments(Filters.eq("_id", repeatedId))).isEqualTo(1);
        List<String> all = new ArrayList<>(others);
        all.add(repeatedId);
        awaitProcessed(all);
        all.forEach(eventId -> assertThat(event(mongo, eventId).getInteger("attempts")).isEqualTo(1));
    }

    @Test
    void oversizedOrBadlySignedDeliveryFailsAloneWhileTheDeliveriesBesideItAreStored() throws Exception {
        List<String> valid = new ArrayList<>();
        List<Callable<Response>> deliveries = customerDeliveries(10, valid);
        String oversizedId = id("evt");
        var big = customer(id("cus"), null, null);
        ((ObjectNode) big.get("metadata")).put("notes", "x".repeat(17 * 1024 * 1024));
        String oversized = json(io.meterline.webhook.support.StripeFixtures.event(oversizedId, "customer.updated",
                Instant.now().getEpochSecond(), big));
        deliveries.add(5, () -> Deliveries.deliver(oversized));
        String badlySignedId = id("evt");
        String badlySigned = customerEvent(badlySignedId);
        deliveries.add(2, () -> Deliveries.deliver(badlySigned,
                StripeSigner.header(WebhookSecretsResource.newSecret(), badlySigned + " ")));

        List<Response> answers = sendTogether(deliveries);

        for (Response answer : answers) {
            String body = answer.body().asString();
            if (answer.statusCode() == 413) {
                assertThat(answer.contentType()).startsWith("application/problem+json");
                assertThat(answer.jsonPath().getString("code")).isEqualTo("event_too_large");
                assertThat(answer.jsonPath().getString("detail")).startsWith("body");
            } else if (answer.statusCode() == 400) {
                assertThat(answer.jsonPath().getString("code")).isEqualTo("invalid_signature");
            } else {
                assertThat(answer.statusCode()).as(body).isEqualTo(200);
                assertThat(valid).contains(answer.jsonPath().getString("id"));
            }
        }
        assertThat(answers).filteredOn(a -> a.statusCode() == 200).hasSize(10);
        assertThat(answers).filteredOn(a -> a.statusCode() == 413).hasSize(1);
        assertThat(answers).filteredOn(a -> a.statusCode() == 400).hasSize(1);
        assertThat(event(mongo, oversizedId)).isNull();
        assertThat(event(mongo, badlySignedId)).isNull();
        awaitProcessed(valid);
    }

    @Test
    void storeOutageAnswersEveryWaitingDelivery503AndTheirRetriesAreStoredOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String eventId = id("evt");
            ids.add(eventId);
            bodies.add(customerEvent(eventId));
        }
        List<Response> during;
        SharedInfrastructure.mongo().stop();
        try {
            List<Callable<Response>> deliveries = new ArrayList<>();
            bodies.forEach(body -> deliveries.add(() -> Deliveries.deliver(body)));
            during = sendTogether(deliveries);
        } finally {
            // shared by every test class of this run: it must come back whatever happened
            SharedInfrastructure.mongo().restart();
        }

        for (Response answer : during) {
            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.contentType()).startsWith("application/problem+json");
            assertThat(answer.header("Retry-After")).isNotNull();
            assertThat(answer.jsonPath().getString("code")).isEqualTo("store_unavailable");
        }
        assertThat(collection(mongo, "stripe_webhook_events").countDocuments(Filters.in("_id", ids))).isZero();

        // Stripe retries each delivery (twice here): every event is stored and applied once
        List<Callable<Response>> retries = new ArrayList<>();
        bodies.forEach(body -> retries.add(() -> Deliveries.deliver(body)));
        bodies.forEach(body -> retries.add(() -> Deliveries.deliver(body)));
        List<Response> after = sendTogether(retries);
        assertThat(after).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
        assertThat(after).filteredOn(answer -> !answer.jsonPath().getBoolean("duplicate")).hasSize(ids.size());
        assertThat(collection(mongo, "stripe_webhook_events").countDocuments(Filters.in("_id", ids))).isEqualTo(ids.size());
        awaitProcessed(ids);
        ids.forEach(eventId -> assertThat(event(mongo, eventId).getInteger("attempts")).isEqualTo(1));
    }

    @Test
    void versionsOfOneSubscriptionArrivingTogetherOutOfOrderEndAtTheNewest() throws Exception {
        String subscriptionId = id("sub");
        String customerId = id("cus");
        long base = Instant.now().getEpochSecond() - 1_000;
        String[] statuses = {"incomplete", "trialing", "active", "past_due", "canceled"};
        List<String> ids = new ArrayList<>();
        List<Callable<Response>> deliveries = new ArrayList<>();
        for (int version = 0; version < 30; version++) {
            String eventId = id("evt");
            ids.add(eventId);
            long created = base + version;
            String body = json(io.meterline.webhook.support.StripeFixtures.event(eventId,
                    version == 0 ? "customer.subscription.created" : "customer.subscription.updated", created,
                    subscription(subscriptionId, customerId, statuses[version % statuses.length], "si_" + subscriptionId,
                            "price_1", null, created, created + 100)));
            deliveries.add(() -> Deliveries.deliver(body));
        }
        Collections.shuffle(deliveries, new Random(7));

        assertThat(sendTogether(deliveries)).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));

        String newest = ids.get(ids.size() - 1);
        awaitProcessed(ids);
        Document stored = byId(mongo, "stripe_subscriptions", subscriptionId);
        assertThat(stored.getString("lastEventId")).isEqualTo(newest);
        assertThat(stored.getString("status")).isEqualTo(statuses[29 % statuses.length]);
        assertThat(((Number) stored.get("lastEventCreated")).longValue()).isEqualTo(base + 29);
        ids.forEach(eventId -> assertThat(event(mongo, eventId).getInteger("attempts")).isEqualTo(1));
    }

    @Test
    void aRecordingShowsEachBatchWriteItsInsertAndTheRoundsThatProcessedTheDeliveries() throws Exception {
        List<String> ids = new ArrayList<>();
        List<Callable<Response>> deliveries = customerDeliveries(12, ids);
        Path file = Files.createTempFile("webhook-tail", ".jfr");
        try (Recording recording = new Recording()) {
            for (String name : List.of("MongoCommand", "IntakeBatch", "ProcessingRound")) {
                recording.enable("io.meterline.webhook." + name).withoutThreshold();
            }
            recording.start();
            sendTogether(deliveries).forEach(answer -> assertThat(answer.statusCode()).isEqualTo(200));
            awaitProcessed(ids);
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> recorded = RecordingFile.readAllEvents(file);
        Files.delete(file);
        // other tests' deliveries may share the recording: at least ours are in it
        assertThat(recorded.stream().filter(e -> e.getEventType().getName().endsWith("IntakeBatch"))
                .mapToInt(e -> e.getInt("deliveries")).sum()).isGreaterThanOrEqualTo(ids.size());
        assertThat(recorded).filteredOn(e -> e.getEventType().getName().endsWith("MongoCommand"))
                .filteredOn(e -> "insert".equals(e.getString("command")))
                .allSatisfy(e -> {
                    assertThat(e.getString("collection")).isEqualTo("stripe_webhook_events");
                    assertThat(e.getInt("documents")).isPositive();
                    assertThat(e.getBoolean("succeeded")).isTrue();
                })
                .isNotEmpty();
        assertThat(recorded.stream().filter(e -> e.getEventType().getName().endsWith("ProcessingRound"))
                .mapToInt(e -> e.getInt("claimed")).sum()).isGreaterThanOrEqualTo(ids.size());
    }

    /** {@code count} deliveries of new customers' events; their event ids are added to {@code ids}. */
    private static List<Callable<Response>> customerDeliveries(int count, List<String> ids) {
        List<Callable<Response>> deliveries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String eventId = id("evt");
            ids.add(eventId);
            String body = customerEvent(eventId);
            deliveries.add(() -> Deliveries.deliver(body));
        }
        return deliveries;
    }

    private void awaitProcessed(List<String> ids) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> ids.forEach(eventId ->
                assertThat(event(mongo, eventId).getString("status")).isEqualTo("processed")));
    }

    private static String customerEvent(String eventId) {
        String customerId = id("cus");
        return json(io.meterline.webhook.support.StripeFixtures.event(eventId, "customer.created",
                Instant.now().getEpochSecond(), customer(customerId, null, null)));
    }

    private static List<Response> sendTogether(List<Callable<Response>> deliveries) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(deliveries.size());
        try {
            List<Response> answers = new ArrayList<>();
            for (Future<Response> answer : pool.invokeAll(deliveries)) {
                answers.add(answer.get());
            }
            return answers;
        } finally {
            pool.shutdown();
        }
    }
}
