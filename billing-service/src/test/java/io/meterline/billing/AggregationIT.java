package io.meterline.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.Topics;
import io.meterline.model.usage.WindowSize;
import io.meterline.model.usage.Windows;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.meterline.billing.BillingApi.putMeter;
import static io.meterline.billing.BillingApi.usage;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Each aggregation on hand-computed event sets, dedup and DLQ: events produced to Kafka, results read over HTTP. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
class AggregationIT {

    static final Duration WAIT = Duration.ofSeconds(60);
    static TestEvents events;
    /** Yesterday 00:00 UTC: hours 10 and 11 of it are inside the lookback, in the past and in one UTC day. */
    static final Instant DAY = Windows.start(Instant.now(), WindowSize.DAY, ZoneOffset.UTC).minus(Duration.ofDays(1));
    static final Instant H10 = DAY.plus(Duration.ofHours(10));
    static final Instant H11 = DAY.plus(Duration.ofHours(11));
    static final Instant NEXT_DAY = DAY.plus(Duration.ofDays(1));

    final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void producer() {
        events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), Topics.USAGE_EVENTS);
    }

    @AfterAll
    static void close() {
        events.close();
    }

    String meter(String aggregation, String valuePath, String... groupBy) {
        String key = aggregation.toLowerCase() + "-" + run;
        Map<String, Object> body = new HashMap<>();
        body.put("eventType", "it." + key);
        body.put("aggregation", aggregation);
        if (valuePath != null) {
            body.put("valuePath", valuePath);
        }
        body.put("groupBy", List.of(groupBy));
        body.put("stripeEventName", key.replace('-', '_'));
        putMeter(key, body);
        return key;
    }

    ObjectNode event(String meter, String subject, Instant time, String field, Object value) {
        ObjectNode node = TestEvents.event(UUID.randomUUID().toString(), "it", "it." + meter, subject, time);
        if (field != null) {
            ObjectNode data = (ObjectNode) node.get("data");
            if (value instanceof Number number) {
                data.put(field, number.doubleValue());
            } else {
                data.put(field, String.valueOf(value));
            }
        }
        return node;
    }

    void send(ObjectNode... nodes) {
        for (ObjectNode node : nodes) {
            events.send(node);
        }
        events.flush();
    }

    static List<Float> values(JsonPath json) {
        return json.getList("windows.value", Float.class);
    }

    void awaitValues(String meter, String customer, String window, List<Double> expected) {
        await().atMost(WAIT).untilAsserted(() -> {
            JsonPath json = usage(meter, customer, DAY, NEXT_DAY, window, null, null);
            assertThat(json.getList("windows.value", Double.class)).containsExactlyElementsOf(expected);
        });
    }

    @Test
    void sumCountMaxAndMinOfAWindowMatchHandComputedValues() {
        String sum = meter("SUM", "units");
        String count = meter("COUNT", null);
        String max = meter("MAX", "units");
        String min = meter("MIN", "units");
        for (String meter : List.of(sum, count, max, min)) {
            send(event(meter, "cust-a", H10.plusSeconds(60), "units", 3),
                    event(meter, "cust-a", H10.plusSeconds(120), "units", 5),
                    event(meter, "cust-a", H10.plusSeconds(180), "units", 10),
                    event(meter, "cust-a", H11.plusSeconds(60), "units", 4),
                    event(meter, "cust-b", H10.plusSeconds(60), "units", 100));
        }
        awaitValues(sum, "cust-a", "hour", List.of(18.0, 4.0));
        awaitValues(count, "cust-a", "hour", List.of(3.0, 1.0));
        awaitValues(max, "cust-a", "hour", List.of(10.0, 4.0));
        awaitValues(min, "cust-a", "hour", List.of(3.0, 4.0));
        awaitValues(sum, "cust-a", "day", List.of(22.0));
        awaitValues(count, "cust-a", "day", List.of(4.0));
        awaitValues(max, "cust-a", "day", List.of(10.0));
        awaitValues(min, "cust-a", "day", List.of(3.0));
        awaitValues(sum, "cust-b", "hour", List.of(100.0));
    }

    @Test
    void averageOfALongerWindowIsSumOverCountNotTheMeanOfHourlyAverages() {
        String avg = meter("AVG", "latency");
        send(event(avg, "cust-a", H10.plusSeconds(10), "latency", 2),
                event(avg, "cust-a", H10.plusSeconds(20), "latency", 4),
                event(avg, "cust-a", H11.plusSeconds(10), "latency", 9));
        awaitValues(avg, "cust-a", "hour", List.of(3.0, 9.0));
        awaitValues(avg, "cust-a", "day", List.of(5.0)); // (2 + 4 + 9) / 3, not (3 + 9) / 2
    }

    @Test
    void lastKeepsTheValueWithTheLatestEventTimeNotTheLatestArrival() {
        String last = meter("LAST", "sensors");
        send(event(last, "cust-a", H10.plusSeconds(40 * 60), "sensors", 7),
                event(last, "cust-a", H11.plusSeconds(5 * 60), "sensors", 4),
                event(last, "cust-a", H10.plusSeconds(50 * 60), "sensors", 9),
                // arrives last, happened earlier: must not win
                event(last, "cust-a", H10.plusSeconds(45 * 60), "sensors", 1));
        awaitValues(last, "cust-a", "hour", List.of(9.0, 4.0));
        awaitValues(last, "cust-a", "day", List.of(4.0));
    }

    @Test
    void uniqueCountCountsDistinctValuesAndMergesHoursByUnion() {
        String unique = meter("UNIQUE_COUNT", "user");
        send(event(unique, "cust-a", H10.plusSeconds(1), "user", "alice"),
                event(unique, "cust-a", H10.plusSeconds(2), "user", "bob"),
                event(unique, "cust-a", H10.plusSeconds(3), "user", "alice"),
                event(unique, "cust-a", H11.plusSeconds(1), "user", "bob"),
                event(unique, "cust-a", H11.plusSeconds(2), "user", "carol"));
        awaitValues(unique, "cust-a", "hour", List.of(2.0, 2.0));
        awaitValues(unique, "cust-a", "day", List.of(3.0));
    }

    @Test
    void groupByKeepsTheUngroupedTotalAndOneWindowPerGroup() {
        String grouped = meter("SUM", "units", "region");
        ObjectNode eu1 = event(grouped, "cust-a", H10.plusSeconds(1), "units", 1);
        ((ObjectNode) eu1.get("data")).put("region", "eu");
        ObjectNode us = event(grouped, "cust-a", H10.plusSeconds(2), "units", 2);
        ((ObjectNode) us.get("data")).put("region", "us");
        ObjectNode eu3 = event(grouped, "cust-a", H10.plusSeconds(3), "units", 3);
        ((ObjectNode) eu3.get("data")).put("region", "eu");
        send(eu1, us, eu3);
        awaitValues(grouped, "cust-a", "hour", List.of(6.0));
        await().atMost(WAIT).untilAsserted(() -> {
            JsonPath json = usage(grouped, "cust-a", DAY, NEXT_DAY, "hour", null, "region");
            assertThat(json.getList("windows.group.region", String.class)).containsExactly("eu", "us");
            assertThat(json.getList("windows.value", Double.class)).containsExactly(4.0, 2.0);
        });
        given().auth().oauth2(BillingApi.admin()).queryParam("meter", grouped).queryParam("customer", "cust-a")
                .queryParam("groupBy", "country").get("/v1/usage")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("groupBy"));
    }

    @Test
    void meterFilterSelectsOnlyMatchingEvents() {
        String key = "filtered-" + run;
        putMeter(key, Map.of("eventType", "it." + key, "aggregation", "COUNT", "filter", Map.of("tier", "pro"),
                "stripeEventName", "filtered"));
        ObjectNode pro = event(key, "cust-a", H10.plusSeconds(1), "tier", "pro");
        ObjectNode free = event(key, "cust-a", H10.plusSeconds(2), "tier", "free");
        send(pro, free);
        awaitValues(key, "cust-a", "hour", List.of(1.0));
    }

    @Test
    void duplicateEventIsCountedOnceInOneBatchAcrossBatchesAndHoursApart() {
        String sum = meter("SUM", "units");
        ObjectNode original = event(sum, "cust-a", H10.plusSeconds(1), "units", 5);
        ObjectNode other = event(sum, "cust-a", H10.plusSeconds(2), "units", 1);
        send(original, original.deepCopy(), other); // same batch
        awaitValues(sum, "cust-a", "hour", List.of(6.0));
        send(original.deepCopy()); // a later batch
        // the same (source, id) resent with an event time hours later still is the same event
        ObjectNode resentLater = original.deepCopy().put("time", H11.plusSeconds(30 * 60).toString());
        send(resentLater);
        ObjectNode marker = event(sum, "cust-a", H11.plusSeconds(1), "units", 100);
        send(marker);
        awaitValues(sum, "cust-a", "hour", List.of(6.0, 100.0));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("meterline_billing_events_deduplicated_total"))
                // consumer lag of the Kafka Streams consumer, bound by Quarkus' Micrometer Kafka binder
                .body(containsString("kafka_consumer_fetch_manager_records_lag_max"));
    }

    @Test
    void invalidRecordsGoToTheDeadLetterTopicWithReasonAndOrigin() {
        String key = "dlq-" + run;
        String sum = meter("SUM", "units");
        events.sendRaw(key, "{not json".getBytes(StandardCharsets.UTF_8));
        ObjectNode noSubject = event(sum, "cust-a", H10, "units", 1);
        noSubject.remove("subject");
        events.sendRaw(key, noSubject.toString().getBytes(StandardCharsets.UTF_8));
        ObjectNode tooLate = event(sum, "cust-a", Instant.now().minus(Duration.ofDays(36)), "units", 1);
        events.sendRaw(key, tooLate.toString().getBytes(StandardCharsets.UTF_8));
        events.flush();

        Map<String, ConsumerRecord<String, byte[]>> byReason = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "dlq-check-" + run,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.USAGE_EVENTS_DLQ));
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        byReason.put(header(record, Topics.HEADER_DLQ_REASON), record);
                    }
                }
                return byReason.size() == 3;
            });
        }
        assertThat(byReason).containsKeys("not_json", "missing", "too_late");
        ConsumerRecord<String, byte[]> missing = byReason.get("missing");
        assertThat(header(missing, Topics.HEADER_DLQ_DETAIL)).contains("subject");
        assertThat(new String(missing.value(), StandardCharsets.UTF_8)).isEqualTo(noSubject.toString());
        assertThat(Integer.parseInt(header(missing, Topics.HEADER_DLQ_PARTITION))).isBetween(0, 2);
        assertThat(Long.parseLong(header(missing, Topics.HEADER_DLQ_OFFSET))).isNotNegative();
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("meterline_billing_events_dlq_total{reason=\"too_late\",service=\"billing-service\"}"))
                .body(containsString("meterline_billing_events_dlq_total{reason=\"not_json\",service=\"billing-service\"}"));
    }

    @Test
    void changingTheAggregationOfAMeterWithUsageIsRefused() {
        String key = "locked-" + run;
        Map<String, Object> meter = new HashMap<>(Map.of("eventType", "it." + key, "aggregation", "SUM",
                "valuePath", "units", "stripeEventName", "locked"));
        putMeter(key, meter);
        meter.put("aggregation", "MAX");
        putMeter(key, meter); // no usage yet: allowed
        send(event(key, "cust-a", H10, "units", 2));
        awaitValues(key, "cust-a", "hour", List.of(2.0));
        meter.put("aggregation", "SUM");
        given().auth().oauth2(BillingApi.admin()).contentType("application/json").body(meter)
                .put("/v1/meters/" + key).then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("meter_aggregation_locked"))
                .body("detail", containsString("already has usage aggregated as MAX"));
        given().auth().oauth2(BillingApi.admin()).get("/v1/meters/" + key).then().statusCode(200)
                .body("aggregation", equalTo("MAX"));
    }

    @Test
    void meterAdministrationNeedsTheAdminRole() {
        given().auth().oauth2(BillingApi.token(java.util.Set.of("usage:read"), List.of()))
                .contentType("application/json").body(Map.of("eventType", "x", "aggregation", "COUNT",
                        "stripeEventName", "x"))
                .put("/v1/meters/not-allowed-" + run).then().statusCode(403);
        given().contentType("application/json").get("/v1/meters").then().statusCode(401);
        given().auth().oauth2(BillingApi.admin()).contentType("application/json")
                .body(Map.of("eventType", "x", "aggregation", "SUM", "stripeEventName", "x"))
                .put("/v1/meters/no-path-" + run).then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("valuePath"));
    }

    static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
