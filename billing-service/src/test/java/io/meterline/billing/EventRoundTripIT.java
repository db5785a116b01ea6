package io.meterline.billing;

import com.mongodb.client.MongoClient;
import com.mongodb.client.model.Filters;
import io.meterline.devstack.testing.HostileInputs;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.Topics;
import io.meterline.model.UsageEventJson;
import io.meterline.model.UsageEventValidator;
import io.meterline.model.usage.UsageWindowDocument;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static io.meterline.billing.BillingApi.putMeter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The round-trip property "anything the edge accepts, billing counts, with its exact value": a few thousand generated
 * events — numbers at and beyond the double, long and documented edges, numeric strings, garbage — go through the
 * real topic. Each event the shared validator accepts (the rule ingest applies before its 202) must appear in its
 * own window with exactly its value, counted once; each one it refuses must land in the dead-letter topic.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
class EventRoundTripIT {

    static final int EVENTS = 3000;

    @Inject
    MongoClient mongo;

    @Test
    void everyAcceptedGeneratedEventIsCountedWithItsExactValueAndEveryRefusedOneIsDeadLettered() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String meter = "roundtrip-" + run;
        putMeter(meter, Map.of("eventType", "it." + meter, "aggregation", "SUM", "valuePath", "units",
                "stripeEventName", "roundtrip"));
        HostileInputs inputs = HostileInputs.fromSystemProperty();
        Random random = inputs.random();
        System.out.println("EventRoundTripIT seed " + inputs.seed() + " (replay with -Dhostile.seed=" + inputs.seed() + ")");
        UsageEventValidator validator = new UsageEventValidator(Clock.systemUTC(), Duration.ofDays(35));

        Map<String, Double> expected = new HashMap<>();
        Set<String> refused = new HashSet<>();
        try (TestEvents events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), Topics.USAGE_EVENTS)) {
            for (int i = 0; i < EVENTS; i++) {
                String subject = "rt-" + run + "-" + i;
                String number = inputs.number();
                String units = random.nextInt(5) == 0 ? "\"" + number + "\"" : number;
                String json = "{\"id\":\"" + i + "\",\"source\":\"roundtrip\",\"type\":\"it." + meter + "\",\"subject\":\""
                        + subject + "\",\"time\":\"" + Instant.now().minusSeconds(60) + "\",\"data\":{\"units\":" + units + "}}";
                byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
                if (validator.validate(UsageEventJson.parseTree(bytes)).valid()) {
                    expected.put(subject, new BigDecimal(number).doubleValue());
                } else {
                    refused.add(subject);
                }
                events.sendRaw(subject, bytes);
            }
            events.flush();
        }
        assertThat(expected).as("the generator must produce accepted events").hasSizeGreaterThan(EVENTS / 4);
        assertThat(refused).as("and refused ones").hasSizeGreaterThan(EVENTS / 10);

        var windows = mongo.getDatabase("meterline").getCollection(UsageWindowDocument.COLLECTION);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(windows.countDocuments(Filters.eq("meter", meter))).isEqualTo(expected.size()));
        Map<String, Double> counted = new HashMap<>();
        for (Document window : windows.find(Filters.eq("meter", meter))) {
            assertThat(window.get("eventCount", Number.class).longValue()).as(window.getString("subject")).isEqualTo(1);
            counted.put(window.getString("subject"), window.get("value", Number.class).doubleValue());
        }
        assertThat(counted).isEqualTo(expected);

        Set<String> deadLettered = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "roundtrip-dlq-" + run,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.USAGE_EVENTS_DLQ));
            await().atMost(Duration.ofMinutes(2)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (refused.contains(record.key())) {
                        deadLettered.add(record.key());
                    }
                }
                return deadLettered.size() == refused.size();
            });
        }
        assertThat(deadLettered).isEqualTo(refused);
    }
}
