package io.meterline.ingest.messaging;

import io.meterline.ingest.config.IngestConfig;
import io.meterline.model.kafka.NativeLz4;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds the one Kafka producer and admin client of the service. They start from every {@code kafka.*}
 * property (so production can add TLS/SASL settings without code) and then pin what the ingest contract
 * depends on: idempotence and {@code acks=all}, and a delivery timeout equal to the publish timeout.
 */
@ApplicationScoped
public class KafkaClients {

    private final Map<String, Object> kafkaConfig;
    private final IngestConfig config;

    public KafkaClients(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, IngestConfig config) {
        this.kafkaConfig = kafkaConfig;
        this.config = config;
    }

    /** The producer settings the ingest contract relies on ({@code ./meterline bench ingest} applies the same values to its ceiling run). */
    public static Map<String, Object> producerSettings(IngestConfig.Producer producer, Duration publishTimeout) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.LINGER_MS_CONFIG, producer.lingerMs());
        settings.put(ProducerConfig.BATCH_SIZE_CONFIG, producer.batchSize());
        settings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, producer.compression());
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, producer.maxBlockMs());
        settings.put(ProducerConfig.BUFFER_MEMORY_CONFIG, producer.bufferMemory());
        int deliveryTimeout = (int) publishTimeout.toMillis();
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeout);
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1, deliveryTimeout - producer.lingerMs()));
        return settings;
    }

    @Produces
    @Singleton
    Producer<String, byte[]> producer() {
        Map<String, Object> settings = clientBase();
        settings.putAll(producerSettings(config.producer(), config.publishTimeout()));
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, "ingest-service");
        NativeLz4.enable();
        return new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
    }

    void closeProducer(@Disposes Producer<String, byte[]> producer) {
        // gives in-flight sends a chance to complete, so answers already promised are kept
        producer.close(config.publishTimeout());
    }

    @Produces
    @Singleton
    Admin admin() {
        Map<String, Object> settings = clientBase();
        int timeout = (int) config.readiness().timeout().toMillis();
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
        settings.put(AdminClientConfig.CLIENT_ID_CONFIG, "ingest-service-health");
        return Admin.create(settings);
    }

    void closeAdmin(@Disposes Admin admin) {
        admin.close(Duration.ofSeconds(2));
    }

    private Map<String, Object> clientBase() {
        Map<String, Object> settings = new HashMap<>(kafkaConfig);
        // consumer-only keys the Quarkus extension adds; producers and admins would warn about them
        settings.remove("group.id");
        return settings;
    }
}
