package io.meterline.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.model.UsageEventJson;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** Writes usage events to Kafka the way a direct producer does: JSON values keyed by subject. */
public final class TestEvents implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    public TestEvents(String bootstrapServers, String topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 65536,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new StringSerializer(), new ByteArraySerializer());
    }

    public static ObjectNode event(String id, String source, String type, String subject, Instant time) {
        ObjectNode node = UsageEventJson.mapper().createObjectNode();
        node.put("id", id).put("source", source).put("type", type).put("subject", subject).put("time", time.toString());
        node.putObject("data");
        return node;
    }

    public void send(ObjectNode event) {
        sendRaw(event.get("subject").asText(), event.toString().getBytes(StandardCharsets.UTF_8));
    }

    public void sendRaw(String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }

    /** Sends and waits for the broker's acknowledgement of everything sent so far. */
    public void flush() {
        producer.flush();
    }

    public void sendAndWait(ObjectNode event) {
        try {
            producer.send(new ProducerRecord<>(topic, event.get("subject").asText(),
                    event.toString().getBytes(StandardCharsets.UTF_8))).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
