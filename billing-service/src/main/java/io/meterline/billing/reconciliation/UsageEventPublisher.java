package io.meterline.billing.reconciliation;

import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.kafka.KafkaClientConfig;
import io.meterline.model.Topics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Writes recovered usage events to the usage-events topic (the normal path: same schema, same key, so
 * aggregation deduplicates and counts them like any other) and alerts to {@link Topics#BILLING_NOTIFICATIONS}.
 * Idempotent producer, {@code acks=all}; {@link #send} returns only once Kafka acknowledged every record.
 */
@ApplicationScoped
public class UsageEventPublisher {

    /** One record: key (the subject or customer) and JSON value. */
    public record Message(String key, byte[] value) {
    }

    private final KafkaClientConfig kafka;
    private final String usageTopic;
    private volatile KafkaProducer<String, byte[]> producer;

    public UsageEventPublisher(KafkaClientConfig kafka, BillingConfig config) {
        this.kafka = kafka;
        this.usageTopic = config.aggregation().inputTopic();
    }

    public void usageEvents(List<Message> messages) {
        send(usageTopic, messages);
    }

    public void notifications(List<Message> messages) {
        send(Topics.BILLING_NOTIFICATIONS, messages);
    }

    private void send(String topic, List<Message> messages) {
        List<Future<?>> acks = new ArrayList<>(messages.size());
        for (Message m : messages) {
            acks.add(producer().send(new ProducerRecord<>(topic, m.key(), m.value())));
        }
        for (Future<?> ack : acks) {
            try {
                ack.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while publishing to " + topic, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("publishing to " + topic + " failed: " + e.getCause().getMessage(), e);
            }
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = new KafkaProducer<>(kafka.producer(Map.of(
                            ProducerConfig.ACKS_CONFIG, "all",
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                            ProducerConfig.LINGER_MS_CONFIG, 5,
                            ProducerConfig.CLIENT_ID_CONFIG, "billing-reconciliation")),
                            new StringSerializer(), new ByteArraySerializer());
                }
            }
        }
        return producer;
    }

    @PreDestroy
    void close() {
        if (producer != null) {
            producer.close();
        }
    }
}
