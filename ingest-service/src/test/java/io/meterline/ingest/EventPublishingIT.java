package io.meterline.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.model.Topics;
import io.meterline.model.UsageEventJson;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static io.meterline.ingest.TestEvents.batch;
import static io.meterline.ingest.TestEvents.event;
import static io.meterline.ingest.TestEvents.post;
import static io.meterline.ingest.TestEvents.uniqueId;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(JwtResource.class)
class EventPublishingIT {

    @Test
    void acceptedEventArrivesOnTheTopicWithKeyValueAndHeaders() {
        String id = uniqueId("single");
        ObjectNode event = event(id, "acme");
        Instant before = Instant.now();

        post(TestEvents.token("svc-metering", Set.of(TestEvents.WRITER), List.of()), event).then()
                .statusCode(202)
                .body("accepted", equalTo(1))
                .body("results[0].status", equalTo("accepted"))
                .body("results[0].id", equalTo(id));

        ConsumerRecord<String, byte[]> record = awaitRecords(id, 1).get(0);
        assertThat(record.topic()).isEqualTo(Topics.USAGE_EVENTS);
        assertThat(record.key()).isEqualTo("acme");
        JsonNode value = UsageEventJson.parseTree(record.value());
        assertThat(value.get("id").textValue()).isEqualTo(id);
        assertThat(value.get("source").textValue()).isEqualTo("it-producer");
        assertThat(value.get("type").textValue()).isEqualTo("api.call");
        assertThat(value.get("subject").textValue()).isEqualTo("acme");
        assertThat(Instant.parse(value.get("time").textValue())).isEqualTo(Instant.parse(event.get("time").textValue()));
        assertThat(value.get("data").get("units").intValue()).isEqualTo(3);
        assertThat(header(record, Topics.HEADER_PRINCIPAL)).isEqualTo("svc-metering");
        Instant receivedAt = Instant.parse(header(record, Topics.HEADER_RECEIVED_AT));
        assertThat(receivedAt).isBetween(before.minusSeconds(1), Instant.now());
    }

    @Test
    void batchIsAnsweredPerEventInRequestOrderAndOnlyAcceptedEventsAreWritten() {
        String prefix = uniqueId("batch");
        ObjectNode invalid = event(prefix + "-3", "acme");
        invalid.remove("time");
        String body = TestEvents.json(batch(event(prefix + "-1", "acme"), event(prefix + "-2", "globex"),
                event(prefix + "-1", "acme"), invalid, event(prefix + "-4", "initech")));

        post(TestEvents.writerToken(), body).then()
                .statusCode(202)
                .body("accepted", equalTo(3))
                .body("duplicates", equalTo(1))
                .body("rejected", equalTo(1))
                .body("results.index", contains(0, 1, 2, 3, 4))
                .body("results.status", contains("accepted", "accepted", "duplicate_in_batch", "rejected", "accepted"))
                .body("results[3].id", equalTo(prefix + "-3"))
                .body("results[3].errors[0].field", equalTo("time"))
                .body("results[3].errors[0].reason", equalTo("missing"));

        List<ConsumerRecord<String, byte[]>> records = awaitRecords(prefix, 3);
        assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("acme", "globex", "initech");
        assertThat(records).extracting(r -> UsageEventJson.parseTree(r.value()).get("id").textValue())
                .containsExactlyInAnyOrder(prefix + "-1", prefix + "-2", prefix + "-4");
    }

    @Test
    void countersExposeAcceptedRejectedAndDuplicateEvents() {
        String prefix = uniqueId("metrics");
        ObjectNode tooOld = event(prefix + "-old", "acme").put("time", Instant.now().minus(Duration.ofDays(40)).toString());
        post(TestEvents.writerToken(), batch(event(prefix + "-a", "acme"), event(prefix + "-a", "acme"), tooOld))
                .then().statusCode(202);

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("meterline_ingest_events_accepted_total")
                .contains("meterline_ingest_events_duplicate_in_batch_total")
                .contains("meterline_ingest_events_rejected_total{reason=\"time_too_old\",service=\"ingest-service\"}")
                .contains("meterline_ingest_publish_failures_total");
    }

    /** Waits until at least {@code expected} records whose id starts with {@code idPrefix} were read. */
    static List<ConsumerRecord<String, byte[]>> awaitRecords(String idPrefix, int expected) {
        try (TopicReader reader = new TopicReader()) {
            return await().atMost(Duration.ofSeconds(30)).until(() -> reader.poll().stream()
                    .filter(r -> UsageEventJson.parseTree(r.value()).path("id").asText().startsWith(idPrefix))
                    .toList(), found -> found.size() >= expected);
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
