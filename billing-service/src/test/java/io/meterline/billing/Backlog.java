package io.meterline.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.usage.UsageWindowDocument;
import io.meterline.model.usage.Windows;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.bson.Document;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.awaitility.Awaitility.await;

/**
 * A generated backlog of usage events with duplicates, and the exact totals it must produce: SUM of units (also
 * grouped by region), COUNT, MAX, over hourly windows of the last few hours.
 */
final class Backlog {

    static final String TYPE = "load.usage";
    final String run;
    final String topic;
    final int events;
    final int duplicates;
    private final List<ObjectNode> records = new ArrayList<>();
    /** window id → expected value. */
    final Map<String, Double> expected = new HashMap<>();

    Backlog(String run, int uniqueEvents, int subjects, double duplicateShare, long seed) {
        this.run = run;
        this.topic = "usage-" + run;
        Random random = new Random(seed);
        Instant now = Instant.now();
        List<ObjectNode> sent = new ArrayList<>(uniqueEvents);
        int duplicateCount = 0;
        createTopic(topic, 4);
        {
            for (int i = 0; i < uniqueEvents; i++) {
                if (!sent.isEmpty() && random.nextDouble() < duplicateShare) {
                    records.add(sent.get(random.nextInt(sent.size())));
                    duplicateCount++;
                }
                String subject = "cust-" + random.nextInt(subjects);
                Instant time = now.minusMillis(60_000 + (long) (random.nextDouble() * 5 * Windows.HOUR_MILLIS));
                ObjectNode event = TestEvents.event("e-" + i, "gen-" + run, TYPE, subject, time);
                int units = 1 + random.nextInt(10);
                String region = random.nextBoolean() ? "eu" : "us";
                ((ObjectNode) event.get("data")).put("units", units).put("region", region);
                records.add(event);
                sent.add(event);
                long hour = Windows.hourStartMillis(time.toEpochMilli()) / 1000;
                expected.merge(UsageWindowDocument.idOf("sum", subject, "", hour), (double) units, Double::sum);
                expected.merge(UsageWindowDocument.idOf("sum", subject, "region=" + region, hour), (double) units, Double::sum);
                expected.merge(UsageWindowDocument.idOf("count", subject, "", hour), 1.0, Double::sum);
                expected.merge(UsageWindowDocument.idOf("max", subject, "", hour), (double) units, Math::max);
            }
        }
        this.events = uniqueEvents + duplicateCount;
        this.duplicates = duplicateCount;
    }

    /**
     * Creates the topic and waits until the broker serves every partition: producing at once into a partition whose
     * replica the broker had not set up yet got {@code NOT_LEADER_OR_FOLLOWER}, and the idempotent producer's retry
     * of that first batch then met {@code OUT_OF_ORDER_SEQUENCE_NUMBER} until its delivery timeout (seen under load).
     */
    static void createTopic(String topic, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafka().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            for (int partition = 0; partition < partitions; partition++) {
                ends.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
            // a partition's end offset is answered by its leader's replica only
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> admin.listOffsets(ends).all().get().size() == partitions);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the backlog (events and resent duplicates, in generation order) to the topic. */
    Backlog produce() {
        try (TestEvents producer = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), topic)) {
            records.forEach(producer::send);
            producer.flush();
        }
        return this;
    }

    /** The meters the backlog is made for, as child-process configuration. */
    static Map<String, String> meterConfig() {
        Map<String, String> meters = new LinkedHashMap<>();
        meters.put("billing.meters.sum.event-type", TYPE);
        meters.put("billing.meters.sum.aggregation", "SUM");
        meters.put("billing.meters.sum.value-path", "units");
        meters.put("billing.meters.sum.group-by", "region");
        meters.put("billing.meters.sum.stripe-event-name", "units");
        meters.put("billing.meters.count.event-type", TYPE);
        meters.put("billing.meters.count.aggregation", "COUNT");
        meters.put("billing.meters.count.stripe-event-name", "calls");
        meters.put("billing.meters.max.event-type", TYPE);
        meters.put("billing.meters.max.aggregation", "MAX");
        meters.put("billing.meters.max.value-path", "units");
        meters.put("billing.meters.max.stripe-event-name", "peak_units");
        return meters;
    }

    /** What MongoDB holds now for this run: window id → value. */
    Map<String, Double> actual() {
        Map<String, Double> actual = new HashMap<>();
        try (MongoClient client = MongoClients.create(SharedInfrastructure.mongo().connectionString())) {
            for (Document document : client.getDatabase("it_" + run.replace('-', '_'))
                    .getCollection(UsageWindowDocument.COLLECTION).find()
                    .projection(new Document("value", 1))) {
                actual.put(document.getString("_id"), ((Number) document.get("value")).doubleValue());
            }
        }
        return actual;
    }

    /** Input records the application id has committed past (its progress through the backlog). */
    long committed(String applicationId) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafka().bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        } catch (Exception e) {
            System.out.println("cannot read committed offsets of " + applicationId + ": " + e);
            return 0;
        }
    }

    /** Committed offsets of the application and its MongoDB writer vs. the topics' ends, for failure messages. */
    String progress(String applicationId) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafka().bootstrapServers()))) {
            StringBuilder text = new StringBuilder();
            for (String group : List.of(applicationId, applicationId + "-mongo-writer")) {
                text.append(group).append(": ").append(new java.util.TreeMap<>(admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get()).entrySet().stream()
                        .map(e -> e.getKey() + "=" + (e.getValue() == null ? null : e.getValue().offset())).toList())
                        .append("\n");
            }
            var ends = admin.listOffsets(java.util.stream.IntStream.range(0, 4).boxed().flatMap(p -> java.util.stream.Stream.of(
                            new org.apache.kafka.common.TopicPartition(topic, p),
                            new org.apache.kafka.common.TopicPartition(topic + ".totals", Math.min(p, 2))))
                    .distinct().collect(java.util.stream.Collectors.toMap(tp -> tp,
                            tp -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get();
            text.append("ends: ").append(new java.util.TreeMap<>(ends.entrySet().stream().collect(
                    java.util.stream.Collectors.toMap(e -> e.getKey().toString(), e -> e.getValue().offset()))));
            return text.toString();
        } catch (Exception e) {
            return "progress unavailable: " + e;
        }
    }

    /** "" when MongoDB holds exactly the expected totals, else a summary of the differences. */
    String difference() {
        Map<String, Double> actual = actual();
        List<String> wrong = new ArrayList<>();
        int lower = 0;
        int higher = 0;
        for (Map.Entry<String, Double> entry : expected.entrySet()) {
            Double value = actual.get(entry.getKey());
            if (value == null || value < entry.getValue()) {
                lower++;
            } else if (value > entry.getValue()) {
                higher++;
            }
            if (!entry.getValue().equals(value) && wrong.size() < 5) {
                wrong.add(entry.getKey() + " expected " + entry.getValue() + " was " + value);
            }
        }
        long extra = actual.keySet().stream().filter(id -> !expected.containsKey(id)).count();
        return lower + higher + extra == 0 ? "" : lower + " windows missing or lower, " + higher + " higher, " + extra
                + " unexpected; e.g. " + wrong;
    }

    static Duration timeout() {
        return Duration.ofMinutes(5);
    }
}
