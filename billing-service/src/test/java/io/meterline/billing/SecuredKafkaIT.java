package io.meterline.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.meterline.billing.kafka.ConsumerLoop;
import io.meterline.devstack.KafkaBroker;
import io.meterline.devstack.testing.ServiceProcess;
import io.meterline.devstack.testing.SharedInfrastructure;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On a cluster that only lets SCRAM-SHA-512 users in over TLS (dev-stack's secured broker's {@code SASL_SSL} listener,
 * its CA generated at start), the packaged ingest and billing services, given the listener, the CA file and their user's
 * credentials as configuration only, carry events through the whole pipeline: ingest → topic → Kafka Streams →
 * windows changelog → MongoDB → usage query. Every Kafka client of billing (Streams, the window writer, the dead-letter
 * recorder, the topic admins, the producers) has to connect for that, since the plain listener is never named.
 * A plain JUnit class on purpose: the services run as processes, and the secured broker must not share the JVM's
 * SCRAM providers with a broker of a Quarkus test class loader (see {@code SharedInfrastructure}).
 * A wrong password makes ingest's readiness fail with Kafka's authentication error instead of hanging, and
 * billing's consumer loop (whose last failure billing's readiness shows) report the same.
 */
class SecuredKafkaIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final String RUN = "secured-" + UUID.randomUUID().toString().substring(0, 8);
    static final String TOPIC = "usage-" + RUN;
    static final String TYPE = "it.secured." + RUN;
    static BillingProcess billing;
    static ServiceProcess ingest;
    static ServiceProcess refused;

    @AfterAll
    static void stopChildren() {
        for (AutoCloseable child : new AutoCloseable[] {refused, ingest}) {
            if (child != null) {
                try {
                    child.close();
                } catch (Exception e) {
                    // best effort
                }
            }
        }
        if (billing != null) {
            billing.stop();
        }
    }

    /** The {@code kafka.*} configuration a service gets on the secured cluster, and nothing of the plain listener. */
    static Map<String, String> securedKafka(String user, String password) {
        Map<String, String> config = new LinkedHashMap<>();
        KafkaBroker broker = SharedInfrastructure.securedKafka();
        broker.securedClientConfig(user, password).forEach((key, value) -> config.put("kafka." + key, value));
        return config;
    }

    @Test
    void eventsCrossThePipelineOnASaslSslClusterWithCredentialsGivenAsConfiguration() throws Exception {
        KafkaBroker broker = SharedInfrastructure.securedKafka();
        Map<String, String> meters = Map.of(
                "billing.meters.secured.event-type", TYPE,
                "billing.meters.secured.aggregation", "SUM",
                "billing.meters.secured.value-path", "units",
                "billing.meters.secured.stripe-event-name", "secured");
        Map<String, String> billingConfig = BillingProcess.isolatedConfig(RUN, TOPIC, meters);
        billingConfig.putAll(securedKafka("billing-service", broker.password("billing-service")));
        billingConfig.put("quarkus.kafka-streams.bootstrap-servers", broker.securedBootstrapServers());
        billing = new BillingProcess(RUN, billingConfig);
        billing.start();

        Map<String, String> ingestConfig = new LinkedHashMap<>(securedKafka("ingest-service", broker.password("ingest-service")));
        ingestConfig.put("ingest.topic", TOPIC);
        ingest = new ServiceProcess(RUN + "-ingest", ServiceProcess.siblingJar("ingest-service"), ingestConfig,
                Path.of("target", "child-logs"));
        ingest.start();

        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ArrayNode batch = JSON.createArrayNode();
        for (int i = 0; i < 4; i++) {
            batch.addObject().put("id", RUN + "-" + i).put("source", "secured-it").put("type", TYPE)
                    .put("subject", "acme").put("time", now.minusSeconds(i).toString())
                    .putObject("data").put("units", 5);
        }
        String writer = BillingApi.token(Set.of("usage:write"), List.of());
        HttpResponse<String> accepted = HTTP.send(HttpRequest.newBuilder(ingest.uri("/v1/events"))
                .header("Authorization", "Bearer " + writer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(batch.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

        URI usage = URI.create(billing.url() + "/v1/usage?meter=secured&customer=acme&window=day&from="
                + now.minus(1, ChronoUnit.DAYS) + "&to=" + now.plus(1, ChronoUnit.DAYS));
        await("the secured pipeline counted the events").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(usage)
                            .header("Authorization", "Bearer " + BillingApi.admin()).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                    double total = 0;
                    for (JsonNode window : JSON.readTree(answer.body()).path("windows")) {
                        total += window.path("value").asDouble();
                    }
                    assertThat(total).isEqualTo(20.0);
                });
    }

    @Test
    void aWrongPasswordFailsReadinessNamingTheAuthenticationFailure() throws Exception {
        Map<String, String> config = new LinkedHashMap<>(securedKafka("ingest-service", "not-the-password"));
        config.put("ingest.topic", TOPIC);
        refused = new ServiceProcess(RUN + "-wrong-password", ServiceProcess.siblingJar("ingest-service"), config,
                Path.of("target", "child-logs"));
        refused.launch();
        await("readiness names the failure").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(java.io.IOException.class)
                .untilAsserted(() -> {
                    HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(refused.uri("/q/health/ready"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(ready.statusCode()).isEqualTo(503);
                    assertThat(ready.body()).contains("Authentication failed").contains("invalid credentials")
                            .contains("SCRAM-SHA-512");
                });
    }

    @Test
    void billingsConsumerLoopNamesAWrongPasswordForReadiness() {
        Map<String, Object> config = new HashMap<>(SharedInfrastructure.securedKafka()
                .securedClientConfig("billing-service", "not-the-password"));
        config.put(ConsumerConfig.GROUP_ID_CONFIG, RUN + "-wrong-password");
        ConsumerLoop loop = new ConsumerLoop(RUN + "-loop", null) {
            @Override
            protected Map<String, Object> consumerConfig() {
                return config;
            }

            @Override
            protected String topic() {
                return TOPIC;
            }

            @Override
            protected void handle(ConsumerRecords<String, byte[]> records) {
                throw new AssertionError("nothing can be read without the password");
            }
        };
        loop.start();
        try {
            await("the loop names the failure").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(loop.lastFailure()).contains("SaslAuthenticationException").contains("invalid credentials"));
            assertThat(loop.running()).isTrue();
        } finally {
            loop.stop();
        }
    }
}
