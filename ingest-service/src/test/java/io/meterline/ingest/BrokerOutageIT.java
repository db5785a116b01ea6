package io.meterline.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.UsageEventJson;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.meterline.ingest.TestEvents.batch;
import static io.meterline.ingest.TestEvents.event;
import static io.meterline.ingest.TestEvents.json;
import static io.meterline.ingest.TestEvents.uniqueId;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stops the real broker while producers are sending: requests Kafka cannot acknowledge are answered 503 with
 * Retry-After, and every event that was answered 202 is on the topic once the broker is back.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(JwtResource.class)
class BrokerOutageIT {

    private static final int SENDERS = 3;
    private static final int BATCH = 5;

    @TestHTTPResource("/v1/events")
    URI events;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final List<HttpResponse<String>> unavailable = new CopyOnWriteArrayList<>();
    private final AtomicInteger otherAnswers = new AtomicInteger();
    private final AtomicBoolean sending = new AtomicBoolean(true);

    @Test
    void brokerOutageIsAnswered503AndNoAcknowledgedEventIsLost() throws Exception {
        String prefix = uniqueId("outage");
        String token = TestEvents.writerToken();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        try {
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                senders.submit(() -> send(prefix + "-" + sender, token));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 50);

            SharedInfrastructure.kafka().stop();
            await().atMost(Duration.ofSeconds(60)).until(() -> !unavailable.isEmpty());
        } finally {
            // the broker is shared by every test class of this run: it must come back whatever happened
            SharedInfrastructure.kafka().restart();
        }
        // requests in flight while the broker restarts finish too: they may end 202 (Kafka acknowledged late)
        sending.set(false);
        senders.shutdown();
        assertThat(senders.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        HttpResponse<String> answer = unavailable.get(0);
        assertThat(answer.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(UsageEventJson.parseTree(answer.body().getBytes()).get("code").textValue())
                .isEqualTo("kafka_unavailable");
        assertThat(otherAnswers.get()).isZero();

        // the service recovers by itself once the broker is back
        await().atMost(Duration.ofSeconds(60)).until(() -> post(json(event(uniqueId("after"), "acme")), token)
                .statusCode() == 202);

        Set<String> expected = new HashSet<>(acknowledged);
        Set<String> onTopic = new HashSet<>();
        try (TopicReader reader = new TopicReader()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                reader.poll().stream()
                        .map(r -> UsageEventJson.parseTree(r.value()).path("id").asText())
                        .filter(id -> id.startsWith(prefix))
                        .forEach(onTopic::add);
                return onTopic.containsAll(expected);
            });
        }
        assertThat(onTopic).containsAll(expected);
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    private void send(String prefix, String token) {
        int n = 0;
        while (sending.get()) {
            List<ObjectNode> batch = new ArrayList<>();
            for (int i = 0; i < BATCH; i++) {
                batch.add(event(prefix + "-" + n++, "customer-" + (n % 5)));
            }
            try {
                HttpResponse<String> response = post(json(batch(batch)), token);
                if (response.statusCode() == 202) {
                    JsonNode results = UsageEventJson.parseTree(response.body().getBytes()).get("results");
                    for (JsonNode result : results) {
                        if ("accepted".equals(result.get("status").textValue())) {
                            acknowledged.add(result.get("id").textValue());
                        }
                    }
                } else if (response.statusCode() == 503) {
                    unavailable.add(response);
                } else {
                    otherAnswers.incrementAndGet();
                }
            } catch (Exception e) {
                otherAnswers.incrementAndGet();
            }
        }
    }

    private HttpResponse<String> post(String body, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(events).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
