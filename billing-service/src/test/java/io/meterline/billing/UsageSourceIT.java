package io.meterline.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.model.Filters;
import io.meterline.devstack.provider.UsageProviderStandIn;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.Topics;
import io.meterline.model.UsageEventJson;
import io.meterline.model.usage.UsageWindowDocument;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Usage-source reconciliation against the provider stand-in: webhooks it "lost" are found by listing its records
 * (paged, bearer auth), ingested through the topic flagged {@code reconciled}, counted once; reliability is reported
 * and alerts below the threshold.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
@QuarkusTestResource(value = UsageProviderResource.class, restrictToAnnotatedClass = true)
class UsageSourceIT {

    /** Each test has its own hour: the provider lists every test's calls by time range. */
    static final Instant HOUR = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
    static final Instant ALERT_HOUR = HOUR.minus(Duration.ofHours(1));
    static final Instant PUSH_HOUR = HOUR.minus(Duration.ofHours(2));

    @Inject
    MongoClient mongo;

    final String run = UUID.randomUUID().toString().substring(0, 8);
    final UsageProviderStandIn provider = UsageProviderResource.provider();

    @Test
    void lostWebhooksAreRecoveredAndBilledOnceWithReliabilityReported() {
        String kind = "call-" + run;
        meter(kind);
        List<String> accounts = List.of("acct1-" + run, "acct2-" + run, "acct3-" + run, "acct4-" + run);
        AtomicLong delivered = new AtomicLong();
        Map<String, Long> secondsByAccount = new HashMap<>();
        UsageProviderStandIn.Calls calls;
        try (TestEvents events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), Topics.USAGE_EVENTS)) {
            calls = provider.makeCalls(run, kind, accounts, HOUR, 10_000, 0.03, 11, call -> {
                events.send(webhookEvent(call));
                delivered.incrementAndGet();
            });
            events.flush();
        }
        for (ObjectNode call : provider.recorded()) {
            if (call.get("kind").asText().equals(kind)) {
                secondsByAccount.merge(call.get("account").get("id").asText(), call.get("billable_seconds").asLong(), Long::sum);
            }
        }
        assertThat(calls.lostIds()).hasSize(300);
        awaitEventCount(kind, accounts, 9_700);

        JsonPath first = pull(HOUR);
        assertThat(first.getLong("expected")).isEqualTo(10_000);
        assertThat(first.getLong("received")).isEqualTo(9_700);
        assertThat(first.getLong("recovered")).isEqualTo(300);
        assertThat(first.getDouble("reliability")).isEqualTo(0.97);
        assertThat(first.getBoolean("alert")).isFalse();
        assertThat(first.getLong("pages")).isEqualTo(20);
        assertThat(first.getDouble("estimatedRevenueRecovered")).isPositive();

        // every call counted once: the windows hold exactly the provider's totals
        awaitEventCount(kind, accounts, 10_000);
        for (String account : accounts) {
            assertThat(window(kind, account).get("value", Number.class).longValue()).as(account)
                    .isEqualTo(secondsByAccount.get(account));
        }
        // a second run finds nothing missing and recovers nothing twice
        JsonPath second = pull(HOUR);
        assertThat(second.getLong("received")).isEqualTo(10_000);
        assertThat(second.getLong("recovered")).isZero();
        assertThat(second.getDouble("reliability")).isEqualTo(1.0);

        // explain shows the recovered events of a window
        String lostId = calls.lostIds().get(0);
        ObjectNode lostCall = provider.recorded().stream().filter(c -> c.get("call_id").asText().equals(lostId))
                .findFirst().orElseThrow();
        JsonPath explained = given().auth().oauth2(BillingApi.admin()).queryParam("meter", kind)
                .queryParam("customer", lostCall.get("account").get("id").asText()).queryParam("hour", HOUR.toString())
                .get("/v1/usage/explain").then().statusCode(200).extract().jsonPath();
        assertThat(explained.getList("recovered.id", String.class)).contains(lostId);
        assertThat(explained.getList("recovered.source", String.class)).containsOnly(UsageProviderResource.EVENT_SOURCE);
    }

    @Test
    void reliabilityBelowTheThresholdRaisesAnAlertPerCustomerOnBillingNotifications() {
        String kind = "alert-" + run;
        meter(kind);
        List<String> accounts = List.of("alerted1-" + run, "alerted2-" + run);
        try (TestEvents events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), Topics.USAGE_EVENTS)) {
            provider.makeCalls(run + "x", kind, accounts, ALERT_HOUR, 1_000, 0.10, 5, call -> events.send(webhookEvent(call)));
            events.flush();
        }
        awaitEventCount(kind, accounts, 900, ALERT_HOUR);

        JsonPath result = pull(ALERT_HOUR);
        assertThat(result.getLong("expected")).isEqualTo(1_000);
        assertThat(result.getLong("recovered")).isEqualTo(100);
        assertThat(result.getDouble("reliability")).isEqualTo(0.9);
        assertThat(result.getBoolean("alert")).isTrue();
        List<ConsumerRecord<String, String>> alerts = notificationsFor(result.getString("id"));
        assertThat(alerts).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(accounts);
        assertThat(alerts).allSatisfy(r -> assertThat(r.value()).contains("\"type\":\"usage_source_reliability_low\""));
        given().get("/q/metrics").then().body(org.hamcrest.Matchers.containsString(
                "meterline_source_reliability_below_threshold{service=\"billing-service\",source=\"calls\"} 1.0"));
    }

    @Test
    void pushedRecordsThatAreInvalidAreReportedWithReasonsAndNeverIngested() {
        String kind = "push-" + run;
        meter(kind);
        String account = "pusher-" + run;
        List<Map<String, Object>> records = new ArrayList<>();
        records.add(Map.of("call_id", "ok-" + run, "account", Map.of("id", account), "kind", kind,
                "started_at", PUSH_HOUR.plusSeconds(5).toString(), "billable_seconds", 30));
        records.add(Map.of("account", Map.of("id", account), "kind", kind, "started_at", PUSH_HOUR.toString(),
                "billable_seconds", 99));
        records.add(Map.of("call_id", "late-" + run, "account", Map.of("id", account), "kind", kind,
                "started_at", "last tuesday", "billable_seconds", 99));
        JsonPath result = given().auth().oauth2(BillingApi.admin()).contentType("application/json")
                .body(Map.of("from", PUSH_HOUR.toString(), "to", PUSH_HOUR.plusSeconds(3600).toString(), "records", records))
                .post("/admin/reconciliations/sources/pushed").then().statusCode(201).extract().jsonPath();
        assertThat(result.getLong("expected")).isEqualTo(1);
        assertThat(result.getLong("recovered")).isEqualTo(1);
        assertThat(result.getLong("invalid")).isEqualTo(2);
        assertThat(result.getList("invalidRecords.field", String.class)).containsExactlyInAnyOrder("id", "time");
        assertThat(result.getList("invalidRecords.reason", String.class)).containsExactlyInAnyOrder("missing", "invalid_time");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(window(kind, account, PUSH_HOUR)).isNotNull());
        assertThat(window(kind, account, PUSH_HOUR).get("value", Number.class).longValue()).isEqualTo(30);

        given().auth().oauth2(BillingApi.admin()).contentType("application/json").body(Map.of("records", "nope"))
                .post("/admin/reconciliations/sources/pushed").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("records"));
        given().auth().oauth2(BillingApi.admin()).contentType("application/json").body(Map.of("records", List.of()))
                .post("/admin/reconciliations/sources/nosuch").then().statusCode(404)
                .body("code", equalTo("usage_source_not_found"));
    }

    private JsonPath pull(Instant hour) {
        return given().auth().oauth2(BillingApi.admin()).queryParam("from", hour.toString())
                .queryParam("to", hour.plusSeconds(3600).toString())
                .post("/admin/reconciliations/sources/calls/runs").then().statusCode(201).extract().jsonPath();
    }

    private static void meter(String kind) {
        BillingApi.putMeter(kind, Map.of("eventType", kind, "aggregation", "SUM", "valuePath", "seconds",
                "stripeEventName", kind.replace('-', '_')));
    }

    /** The webhook the provider delivers, as its integration writes it to the topic. */
    private static ObjectNode webhookEvent(ObjectNode call) {
        return UsageProviderStandIn.webhookEvent(call, UsageProviderResource.EVENT_SOURCE);
    }

    private Document window(String meter, String subject) {
        return window(meter, subject, HOUR);
    }

    private Document window(String meter, String subject, Instant hour) {
        return mongo.getDatabase("meterline").getCollection(UsageWindowDocument.COLLECTION)
                .find(Filters.eq("_id", UsageWindowDocument.idOf(meter, subject, "", hour.getEpochSecond()))).first();
    }

    private void awaitEventCount(String meter, List<String> accounts, long expected) {
        awaitEventCount(meter, accounts, expected, HOUR);
    }

    private void awaitEventCount(String meter, List<String> accounts, long expected, Instant hour) {
        // a cap, not a measure: 10,000 events take minutes to aggregate when the shared machine is loaded
        await().atMost(Duration.ofMinutes(8)).untilAsserted(() -> {
            long count = 0;
            for (String account : accounts) {
                Document w = window(meter, account, hour);
                count += w == null ? 0 : w.get("eventCount", Number.class).longValue();
            }
            assertThat(count).isEqualTo(expected);
        });
    }

    private static List<ConsumerRecord<String, String>> notificationsFor(String runId) {
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.BILLING_NOTIFICATIONS));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (UsageEventJson.parseTree(r.value().getBytes()).path("runId").asText().equals(runId)) {
                        found.add(r);
                    }
                });
                return found.size() >= 2;
            });
        }
        return found;
    }
}
