package io.meterline.billing.kafka;

import io.meterline.model.kafka.NativeLz4;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one place billing's Kafka clients take their connection settings from: every {@code kafka.*} property
 * ({@code bootstrap.servers}, {@code security.protocol}, {@code sasl.*}, {@code ssl.*}; from the environment as
 * {@code KAFKA_SASL_JAAS_CONFIG} and so on), as collected by the Quarkus Kafka client extension. Kafka Streams is
 * built by Quarkus from the same collection, so the consumers, producers and admin clients here connect exactly as
 * Streams does. Each client gets only the keys its type knows (the collection also holds {@code kafka-streams.*}
 * leftovers such as {@code streams.state.dir}), never a shared identity ({@code group.id}, which the extension
 * fills with the application name, or {@code transactional.id}: each client names its own), then its own settings.
 */
@ApplicationScoped
public class KafkaClientConfig {

    /** Quarkus' TLS-registry hook: not a Kafka config name, read by the SSL engine factory it installs. */
    private static final String TLS_CONFIGURATION_NAME = "tls-configuration-name";
    /** Identities of one client, not settings of the cluster. */
    private static final Set<String> PER_CLIENT = Set.of("group.id", "group.instance.id", "transactional.id", "client.id");

    private final Map<String, Object> kafka;

    public KafkaClientConfig(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.kafka = Map.copyOf(kafka);
        NativeLz4.enable();
    }

    /** Settings for a consumer: the cluster's, then {@code own}. */
    public Map<String, Object> consumer(Map<String, Object> own) {
        return merge(ConsumerConfig.configNames(), own);
    }

    /** Settings for a producer: the cluster's, then {@code own}. */
    public Map<String, Object> producer(Map<String, Object> own) {
        return merge(ProducerConfig.configNames(), own);
    }

    /** Settings for an admin client: the cluster's, then {@code own}. */
    public Map<String, Object> admin(Map<String, Object> own) {
        return merge(AdminClientConfig.configNames(), own);
    }

    private Map<String, Object> merge(Set<String> known, Map<String, Object> own) {
        Map<String, Object> settings = new HashMap<>();
        kafka.forEach((key, value) -> {
            // an unset optional (e.g. ${KAFKA_SASL_JAAS_CONFIG:}) arrives as "": Kafka would parse it as a value
            if ((known.contains(key) || key.equals(TLS_CONFIGURATION_NAME)) && !PER_CLIENT.contains(key)
                    && !String.valueOf(value).isEmpty()) {
                settings.put(key, value);
            }
        });
        settings.putAll(own);
        return settings;
    }
}
