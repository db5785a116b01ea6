package io.meterline.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.model.UsageEventJson;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static io.meterline.ingest.TestEvents.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The CloudEvents HTTP binding, driven by the official CloudEvents Java SDK as the client: events built with its
 * builder and written by its HTTP message writer (binary and structured mode) or its JSON format (batches).
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(JwtResource.class)
class CloudEventsIT {

    private static final String BATCH = "application/cloudevents-batch+json";

    @TestHTTPResource("/v1/events")
    URI events;

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonFormat format = new JsonFormat();

    static CloudEvent usage(String id, String subject) {
        return CloudEventBuilder.v1().withId(id).withSource(URI.create("/it/cloudevents")).withType("api.call")
                .withSubject(subject).withTime(OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(30))
                .withExtension("organization", "org-ce")
                .withData("application/json", "{\"units\":3}".getBytes(StandardCharsets.UTF_8)).build();
    }

    @Test
    void binaryAndStructuredEventsFromTheSdkArePublishedAsUsageEvents() throws Exception {
        String binary = uniqueId("ce-binary");
        String structured = uniqueId("ce-structured");

        HttpResponse<String> first = send(usage(binary, "acme"), true);
        HttpResponse<String> second = send(usage(structured, "acme"), false);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(202);
        assertThat(json(first.body()).at("/results/0/status").textValue()).isEqualTo("accepted");
        assertThat(json(second.body()).at("/accepted").intValue()).isEqualTo(1);
        for (String id : List.of(binary, structured)) {
            JsonNode value = UsageEventJson.parseTree(awaitRecord(id).value());
            assertThat(value.get("source").textValue()).isEqualTo("/it/cloudevents");
            assertThat(value.get("subject").textValue()).isEqualTo("acme");
            assertThat(value.get("organization").textValue()).isEqualTo("org-ce");
            assertThat(value.at("/data/units").intValue()).isEqualTo(3);
            assertThat(value.has("specversion")).isFalse();
        }
    }

    @Test
    void batchOfCloudEventsIsAnsweredPerEvent() throws Exception {
        String good = uniqueId("ce-batch");
        CloudEvent older = CloudEventBuilder.v03().withId(uniqueId("ce-v03")).withSource(URI.create("/it"))
                .withType("api.call").withSubject("acme").withTime(OffsetDateTime.now(ZoneOffset.UTC)).build();
        HttpResponse<String> answer = post(BATCH, batch(usage(good, "acme"), usage(good, "acme"), older));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        JsonNode body = json(answer.body());
        assertThat(body.at("/results/0/status").textValue()).isEqualTo("accepted");
        assertThat(body.at("/results/1/status").textValue()).isEqualTo("duplicate_in_batch");
        assertThat(body.at("/results/2/status").textValue()).isEqualTo("rejected");
        assertThat(body.at("/results/2/errors/0/field").textValue()).isEqualTo("specversion");
        assertThat(body.at("/results/2/errors/0/reason").textValue()).isEqualTo("unsupported_specversion");
        awaitRecord(good);
    }

    @Test
    void specversionOtherThan10IsRejectedNamingTheField() throws Exception {
        CloudEvent older = CloudEventBuilder.v03().withId(uniqueId("ce-v03")).withSource(URI.create("/it"))
                .withType("api.call").withSubject("acme").withTime(OffsetDateTime.now(ZoneOffset.UTC))
                .withData("application/json", "{}".getBytes(StandardCharsets.UTF_8)).build();
        for (boolean binary : List.of(true, false)) {
            HttpResponse<String> answer = send(older, binary);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(422);
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(json(answer.body()).at("/errors/0/field").textValue()).isEqualTo("specversion");
        }
    }

    @Test
    void nonJsonDataIsRejectedNamingTheContentType() throws Exception {
        CloudEvent text = CloudEventBuilder.v1(usage(uniqueId("ce-text"), "acme"))
                .withData("text/plain", "three units".getBytes(StandardCharsets.UTF_8)).build();
        HttpResponse<String> answer = send(text, false);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(422);
        assertThat(json(answer.body()).at("/errors/0/field").textValue()).isEqualTo("datacontenttype");
        assertThat(json(answer.body()).at("/errors/0/reason").textValue()).isEqualTo("unsupported_content_type");
    }

    @Test
    void cloudEventsBatchThatIsNotAnArrayIsABadRequest() throws Exception {
        HttpResponse<String> answer = post(BATCH, format.serialize(usage(uniqueId("ce-lone"), "acme")));
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(json(answer.body()).get("code").textValue()).isEqualTo("invalid_body");
    }

    private HttpResponse<String> send(CloudEvent event, boolean binary) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(events)
                .header("Authorization", "Bearer " + TestEvents.writerToken());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        var writer = HttpMessageFactory.createWriter(request::header, body::writeBytes);
        if (binary) {
            writer.writeBinary(event);
        } else {
            writer.writeStructured(event, format);
        }
        return http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String contentType, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(events).header("Authorization", "Bearer " + TestEvents.writerToken())
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private byte[] batch(CloudEvent... events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("[".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < events.length; i++) {
            if (i > 0) {
                out.writeBytes(",".getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes(format.serialize(events[i]));
        }
        out.writeBytes("]".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static JsonNode json(String body) {
        return UsageEventJson.parseTree(body.getBytes(StandardCharsets.UTF_8));
    }

    private static ConsumerRecord<String, byte[]> awaitRecord(String id) {
        try (TopicReader reader = new TopicReader()) {
            return await().atMost(Duration.ofSeconds(30)).until(() -> reader.poll().stream()
                    .filter(record -> new String(record.value(), StandardCharsets.UTF_8).contains("\"" + id + "\""))
                    .findFirst().orElse(null), record -> record != null);
        }
    }
}
