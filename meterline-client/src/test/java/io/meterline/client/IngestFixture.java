package io.meterline.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterline.devstack.testing.ServiceProcess;
import io.meterline.devstack.testing.SharedInfrastructure;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The real ingest-service (packaged, as a child process) writing to its own topic on the test JVM's real broker,
 * and a reader of that topic that counts events by (source, id), as billing's deduplication does.
 */
final class IngestFixture implements AutoCloseable {

    static final ObjectMapper MAPPER = new ObjectMapper();

    final String topic;
    final ServiceProcess ingest;

    IngestFixture(String name) {
        topic = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        SharedInfrastructure.kafka().createTopics(List.of(new NewTopic(topic, 3, (short) 1)));
        ingest = new ServiceProcess(name + "-ingest", ServiceProcess.siblingJar("ingest-service"), Map.of(
                "kafka.bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers(),
                "ingest.topic", topic,
                // a broker outage is answered 503 after this, instead of the production 10 s
                "ingest.publish-timeout", "2S",
                "quarkus.log.category.\"org.apache.kafka\".level", "WARN"), Path.of("target", "child-logs"));
    }

    static String writerToken() {
        return SharedInfrastructure.jwt().token("client-it", Set.of("usage:write"), List.of(), Duration.ofHours(2));
    }

    /** How many records the topic holds per (source, id), read from the beginning to the end. */
    Map<String, Integer> countsBySourceAndId() {
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode event = MAPPER.readTree(record.value());
                    counts.merge(event.get("source").textValue() + "|" + event.get("id").textValue(), 1, Integer::sum);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counts;
    }

    @Override
    public void close() {
        ingest.stop();
    }
}
