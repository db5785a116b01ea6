package io.meterline.devstack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaBrokerTests {

    @Test
    void recordsWrittenBeforeARestartAreStillThereAfterIt(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(0, dir.resolve("data"))) {
            Map<String, Object> producerConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("t", "k", "before")).get();
            }
            broker.stop();
            assertThat(broker.running()).isFalse();
            broker.restart();
            try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("t", "k", "after")).get();
            }
            try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "test", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("t"));
                List<String> values = new ArrayList<>();
                long deadline = System.currentTimeMillis() + 30_000;
                while (values.size() < 2 && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                        values.add(record.value());
                    }
                }
                assertThat(values).containsExactly("before", "after");
            }
        }
    }

    @Test
    void aScramUserReachesTheSaslSslListenerAndAWrongPasswordIsRefused(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.startSecured(dir.resolve("data"), List.of("alice"))) {
            Map<String, Object> producerConfig = new HashMap<>(broker.securedClientConfig("alice", broker.password("alice")));
            producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
            try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
                assertThat(producer.send(new ProducerRecord<>("secured", "k", "v")).get().topic()).isEqualTo("secured");
            }
            Map<String, Object> wrong = new HashMap<>(broker.securedClientConfig("alice", "not-" + broker.password("alice")));
            try (Admin admin = Admin.create(wrong)) {
                assertThatThrownBy(() -> admin.describeCluster().nodes().get())
                        .hasCauseInstanceOf(SaslAuthenticationException.class)
                        .hasMessageContaining("invalid credentials");
            }
        }
    }
}
