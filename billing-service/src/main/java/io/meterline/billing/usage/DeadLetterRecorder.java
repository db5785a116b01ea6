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
import io.meterline.model.Topics;
import io.meterline.model.UsageEventJson;
import io.meterline.model.usage.Windows;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

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
public class DeadLetterRecorder {

    public static final String COLLECTION = "dead_letters";
    private static final Logger LOG = Logger.getLogger(DeadLetterRecorder.class);

    private final MongoCollection<Document> deadLetters;
    private final String topic;
    private final String groupId;
    private final String bootstrapServers;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public DeadLetterRecorder(MongoCollections collections, BillingConfig config,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @ConfigProperty(name = "quarkus.kafka-streams.application-id") String applicationId) {
        this.deadLetters = collections.collection(COLLECTION);
        this.topic = config.aggregation().dlqTopic();
        this.groupId = applicationId + "-dead-letters";
        this.bootstrapServers = bootstrapServers;
    }

    void onStart(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::run, "dead-letter-recorder");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
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

    private void run() {
        while (running) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.GROUP_ID_CONFIG, groupId,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer = c;
                c.subscribe(List.of(topic));
                while (running) {
                    List<WriteModel<Document>> writes = new ArrayList<>();
                    for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(500))) {
                        Document d = toDocument(record);
                        writes.add(new ReplaceOneModel<>(Filters.eq("_id", d.getString("_id")), d,
                                new ReplaceOptions().upsert(true)));
                    }
                    if (!writes.isEmpty()) {
                        deadLetters.bulkWrite(writes, new BulkWriteOptions().ordered(false));
                        c.commitSync();
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("dead-letter recorder failed (%s); restarting from the last committed offset", e.toString());
            }
        }
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
