package io.meterline.billing.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.config.MongoCollections;
import io.meterline.billing.kafka.ConsumerLoop;
import io.meterline.billing.kafka.KafkaClientConfig;
import io.meterline.model.Topics;
import io.meterline.model.UsageEventJson;
import io.meterline.model.usage.Windows;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records every dead-lettered event by customer and hour (collection {@value #COLLECTION}), so an explanation can say
 * how many events of a window were refused and why. One document per DLQ record, keyed by its partition and offset:
 * a redelivery rewrites the same document, so counts stay exact under at-least-once reading. Offsets are committed
 * after the write. The customer is the record key (the subject), the hour comes from the event's {@code time} when
 * it can be read (records without one are counted under no hour).
 */
@ApplicationScoped
public class DeadLetterRecorder extends ConsumerLoop {

    public static final String COLLECTION = "dead_letters";

    private final MongoCollection<Document> deadLetters;
    private final String topic;
    private final String groupId;
    private final KafkaClientConfig kafka;

    public DeadLetterRecorder(MongoCollections collections, BillingConfig config, KafkaClientConfig kafka,
            @ConfigProperty(name = "quarkus.kafka-streams.application-id") String applicationId) {
        super("dead-letter-recorder", null);
        this.deadLetters = collections.collection(COLLECTION);
        this.topic = config.aggregation().dlqTopic();
        this.groupId = applicationId + "-dead-letters";
        this.kafka = kafka;
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    @Override
    protected String topic() {
        return topic;
    }

    @Override
    protected Duration pollTimeout() {
        return Duration.ofMillis(500);
    }

    @Override
    protected Map<String, Object> consumerConfig() {
        return kafka.consumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        List<WriteModel<Document>> writes = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            Document d = toDocument(record);
            writes.add(new ReplaceOneModel<>(Filters.eq("_id", d.getString("_id")), d, new ReplaceOptions().upsert(true)));
        }
        deadLetters.bulkWrite(writes, new BulkWriteOptions().ordered(false));
    }

    /** Dead-lettered events of a customer in one hour, counted by reason. */
    public Map<String, Long> countsByReason(String subject, long hourEpochSecond) {
        Map<String, Long> counts = new TreeMap<>();
        for (Document d : deadLetters.find(Filters.eq("subject", subject))) {
            Date hour = d.getDate("hour");
            if (hour != null && hour.getTime() / 1000 == hourEpochSecond) {
                counts.merge(d.getString("reason"), 1L, Long::sum);
            }
        }
        return counts;
    }

    private static Document toDocument(ConsumerRecord<String, byte[]> record) {
        Header reason = record.headers().lastHeader(Topics.HEADER_DLQ_REASON);
        Date hour = null;
        String subject = record.key();
        try {
            JsonNode node = record.value() == null ? null : UsageEventJson.parseTree(record.value());
            if (node != null && node.path("time").isTextual()) {
                hour = Date.from(Windows.hourStart(OffsetDateTime.parse(node.path("time").asText()).toInstant()));
            }
            if (subject == null && node != null && node.path("subject").isTextual()) {
                subject = node.path("subject").asText();
            }
        } catch (RuntimeException e) {
            // not JSON, or no readable time: counted for the customer without an hour
        }
        return new Document("_id", record.partition() + ":" + record.offset())
                .append("subject", subject)
                .append("hour", hour)
                .append("reason", reason == null ? "unknown" : new String(reason.value(), StandardCharsets.UTF_8))
                .append("deadLetteredAt", Date.from(Instant.ofEpochMilli(record.timestamp())));
    }
}
