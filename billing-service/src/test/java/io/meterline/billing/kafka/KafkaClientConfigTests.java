package io.meterline.billing.kafka;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaClientConfigTests {

    /** What the Quarkus Kafka extension collects from kafka.* and KAFKA_* on a secured cluster with Streams settings. */
    static final Map<String, Object> COLLECTED = Map.of(
            "bootstrap.servers", "kafka:9093",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
            "ssl.truststore.type", "PEM",
            "ssl.truststore.location", "/etc/meterline/kafka-ca/ca.crt",
            "ssl.keystore.location", "",
            "streams.state.dir", "/var/lib/meterline/streams",
            "group.id", "billing-service");

    final KafkaClientConfig config = new KafkaClientConfig(COLLECTED);

    @Test
    void everyClientTypeGetsTheClustersConnectionAndSecuritySettings() {
        for (Map<String, Object> settings : new Map[] {config.consumer(Map.of()), config.producer(Map.of()), config.admin(Map.of())}) {
            assertThat(settings).containsEntry("bootstrap.servers", "kafka:9093")
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("sasl.jaas.config", COLLECTED.get("sasl.jaas.config"))
                    .containsEntry("ssl.truststore.type", "PEM")
                    .containsEntry("ssl.truststore.location", "/etc/meterline/kafka-ca/ca.crt");
        }
    }

    @Test
    void keysNoClientKnowsSharedIdentitiesAndUnsetValuesAreLeftOut() {
        assertThat(config.consumer(Map.of())).doesNotContainKeys("streams.state.dir", "group.id", "ssl.keystore.location");
        assertThat(config.producer(Map.of())).doesNotContainKeys("streams.state.dir", "group.id", "ssl.keystore.location");
    }

    @Test
    void aClientsOwnSettingsWinOverTheCollectedOnes() {
        assertThat(config.consumer(Map.of("group.id", "writer", "bootstrap.servers", "other:9092")))
                .containsEntry("group.id", "writer").containsEntry("bootstrap.servers", "other:9092");
    }
}
