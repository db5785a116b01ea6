package io.meterline.billing;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventSerializer;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.ServiceProcess;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * CloudEvents end to end, with the official CloudEvents Java SDK as the producer: records written by its Kafka
 * serializer (binary and structured mode) and requests written by its HTTP message writer to the real ingest API
 * (the packaged ingest-service as a child process) are counted once in {@code GET /v1/usage}, resends included.
 *
 * <p>Each scenario ends with a sentinel event on the same key (so the same partition) after the resends: once the
 * sentinel is counted, every resend before it has been processed, so "counted once" is checked without timing.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
class CloudEventsIT {

    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String METER = "ce-" + RUN;
    static final String TYPE = "it.ce." + RUN;
    static final URI SOURCE = URI.create("/it/cloudevents/" + RUN);
    static boolean meterReady;
    static ServiceProcess ingest;

    @BeforeEach
    void meter() {
        if (!meterReady) {
            BillingApi.putMeter(METER, Map.of("eventType", TYPE, "aggregation", "SUM", "valuePath", "units",
                    "stripeEventName", "ce"));
            meterReady = true;
        }
    }

    @AfterAll
    static void stopIngest() {
        if (ingest != null) {
            ingest.stop();
        }
    }

    static CloudEvent usage(String id, String subject, int units) {
        return CloudEventBuilder.v1().withId(id).withSource(SOURCE).withType(TYPE).withSubject(subject)
                .withTime(OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(30)).withExtension("organization", "org-ce")
                .withData("application/json", ("{\"units\":" + units + "}").getBytes(StandardCharsets.UTF_8)).build();
    }

    @Test
    void sdkKafkaRecordsInBinaryAndStructuredModeAreCountedOnceIncludingResends() {
        String customer = "ce-kafka-" + RUN;
        CloudEvent first = usage("k-1", customer, 1);
        CloudEvent second = usage("k-2", customer, 2);
        try (KafkaProducer<String, CloudEvent> binary = producer("BINARY");
             KafkaProducer<String, CloudEvent> structured = producer("STRUCTURED")) {
            binary.send(new ProducerRecord<>(Topics.USAGE_EVENTS, customer, first));
            structured.flush();
            binary.flush();
            structured.send(new ProducerRecord<>(Topics.USAGE_EVENTS, customer, second));
            structured.flush();
            // resends: the same (source, id), each in the other mode
            structured.send(new ProducerRecord<>(Topics.USAGE_EVENTS, customer, first));
            structured.flush();
            binary.send(new ProducerRecord<>(Topics.USAGE_EVENTS, customer, second));
            binary.flush();
            binary.send(new ProducerRecord<>(Topics.USAGE_EVENTS, customer, usage("k-sentinel", customer, 4)));
            binary.flush();
        }
        assertCountedOnce(customer, 7.0, 3);
    }

    @Test
    void sdkHttpRequestsInEveryModeAreCountedOnceIncludingResends() throws Exception {
        startIngest();
        String customer = "ce-http-" + RUN;
        CloudEvent first = usage("h-1", customer, 1);
        CloudEvent second = usage("h-2", customer, 2);
        assertThat(sendHttp(first, true)).isEqualTo(202);
        assertThat(sendHttp(second, false)).isEqualTo(202);
        assertThat(sendBatch(usage("h-3", customer, 4), first)).isEqualTo(202);
        assertThat(sendHttp(second, true)).isEqualTo(202);
        assertThat(sendHttp(usage("h-sentinel", customer, 8), false)).isEqualTo(202);
        assertCountedOnce(customer, 15.0, 4);
    }

    @Test
    void unsupportedCloudEventsRecordsAreDeadLetteredWithAReason() throws Exception {
        String older = "dlq-v03-" + RUN;
        String avro = "dlq-avro-" + RUN;
        String text = "dlq-text-" + RUN;
        try (KafkaProducer<String, CloudEvent> binary = producer("BINARY");
             KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer())) {
            binary.send(new ProducerRecord<>(Topics.USAGE_EVENTS, older, CloudEventBuilder.v03().withId(older)
                    .withSource(SOURCE).withType(TYPE).withSubject(older).withTime(OffsetDateTime.now(ZoneOffset.UTC))
                    .build())).get();
            binary.send(new ProducerRecord<>(Topics.USAGE_EVENTS, text, CloudEventBuilder.v1(usage(text, text, 1))
                    .withData("text/plain", "one unit".getBytes(StandardCharsets.UTF_8)).build())).get();
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.USAGE_EVENTS, avro, new byte[] {1, 2});
            record.headers().add("content-type", "application/cloudevents+avro".getBytes(StandardCharsets.UTF_8));
            raw.send(record).get();
        }
        Map<String, String> reasons = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "ce-dlq-" + RUN,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.USAGE_EVENTS_DLQ));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> dead : consumer.poll(Duration.ofMillis(500))) {
                    Header reason = dead.headers().lastHeader(Topics.HEADER_DLQ_REASON);
                    if (dead.key() != null && dead.key().endsWith(RUN) && reason != null) {
                        reasons.put(dead.key(), new String(reason.value(), StandardCharsets.UTF_8));
                    }
                }
                return reasons.size() == 3;
            });
        }
        assertThat(reasons).containsEntry(older, "unsupported_specversion")
                .containsEntry(text, "unsupported_content_type").containsEntry(avro, "unsupported_content_type");
    }

    private static void assertCountedOnce(String customer, double total, long events) {
        Instant from = Instant.now().minus(Duration.ofHours(2));
        await().atMost(Duration.ofSeconds(90)).until(() -> sum(window(customer, from), "value") >= total);
        JsonPath usage = window(customer, from);
        assertThat(sum(usage, "value")).isEqualTo(total);
        assertThat(sum(usage, "eventCount")).isEqualTo((double) events);
    }

    private static JsonPath window(String customer, Instant from) {
        return BillingApi.usage(METER, customer, from, Instant.now().plus(Duration.ofHours(1)), "hour", null, null);
    }

    private static double sum(JsonPath usage, String field) {
        List<Object> values = usage.getList("windows." + field);
        return values.stream().mapToDouble(value -> ((Number) value).doubleValue()).sum();
    }

    private static KafkaProducer<String, CloudEvent> producer(String encoding) {
        CloudEventSerializer serializer = new CloudEventSerializer();
        serializer.configure(Map.of(CloudEventSerializer.ENCODING_CONFIG, encoding,
                CloudEventSerializer.EVENT_FORMAT_CONFIG, JsonFormat.CONTENT_TYPE), false);
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafka().bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), serializer);
    }

    private static synchronized void startIngest() {
        if (ingest == null) {
            ingest = new ServiceProcess("ingest", ServiceProcess.siblingJar("ingest-service"), Map.of(
                    "kafka.bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers(),
                    "ingest.topic", Topics.USAGE_EVENTS), Path.of("target", "child-logs"));
            ingest.start();
        }
    }

    private static String writerToken() {
        return BillingApi.token(java.util.Set.of("usage:write"), List.of());
    }

    private static int sendHttp(CloudEvent event, boolean binary) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(ingest.uri("/v1/events"))
                .header("Authorization", "Bearer " + writerToken());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        var writer = HttpMessageFactory.createWriter(request::header, body::writeBytes);
        if (binary) {
            writer.writeBinary(event);
        } else {
            writer.writeStructured(event, new JsonFormat());
        }
        return send(request, body.toByteArray());
    }

    private static int sendBatch(CloudEvent... events) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        JsonFormat format = new JsonFormat();
        body.writeBytes("[".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < events.length; i++) {
            body.writeBytes((i == 0 ? "" : ",").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(format.serialize(events[i]));
        }
        body.writeBytes("]".getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(ingest.uri("/v1/events")).header("Authorization", "Bearer " + writerToken())
                .header("Content-Type", "application/cloudevents-batch+json"), body.toByteArray());
    }

    private static int send(HttpRequest.Builder request, byte[] body) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(
                request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return answer.statusCode();
    }
}
