package io.meterline.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Balance movements survive the packaged service dying between their writes: the process halts (as kill -9 would:
 * no shutdown hook, nothing flushed) right after the balance write, right after the history write, or right after a
 * usage charge was claimed; a restarted process then answers the client's retry with the first answer, and the
 * balance, its history and the usage charged are exact: nothing applied twice, nothing lost.
 */
class BalanceCrashIT {

    private final List<BillingProcess> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(BillingProcess::stop);
    }

    @Test
    void aCreditAndADebitInterruptedAfterTheBalanceWriteAreAppliedOnce() {
        movementSurvivesHaltAfter("movement-applied");
    }

    @Test
    void aCreditAndADebitInterruptedAfterTheHistoryWriteAreAppliedOnce() {
        movementSurvivesHaltAfter("history-written");
    }

    @Test
    void concurrentMovementsInterruptedAfterABatchedBalanceWriteAreEachAppliedOnce() throws Exception {
        batchSurvivesHaltAfter("movement-applied");
    }

    @Test
    void concurrentMovementsInterruptedAfterABatchedHistoryWriteAreEachAppliedOnce() throws Exception {
        batchSurvivesHaltAfter("history-written");
    }

    /**
     * Movements of different balances share one bulk write (and one history insert) per round (decision 0116): the
     * process halts right after the first such write, whatever batch it held; every client then retries, and each
     * movement is applied exactly once.
     */
    private void batchSurvivesHaltAfter(String step) throws Exception {
        String run = "bbatch-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> config = config(run);
        int customers = 12;
        BillingProcess dying = start(run + "-a", with(config, "billing.balance.halt-after", step));
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(customers);
        try {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (int c = 0; c < customers; c++) {
                int customer = c;
                sent.add(clients.submit(() -> catchThrowable(() -> move(dying, "batch-" + customer, "credits", 100 + customer, "top-up"))));
            }
            for (java.util.concurrent.Future<?> answer : sent) {
                answer.get();
            }
        } finally {
            clients.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> !dying.alive());

        BillingProcess restarted = start(run + "-b", config);
        for (int c = 0; c < customers; c++) {
            move(restarted, "batch-" + c, "credits", 100 + c, "top-up").then().statusCode(200);
            move(restarted, "batch-" + c, "debits", 10, "call").then().statusCode(200);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int c = 0; c < customers; c++) {
                JsonPath history = request(restarted).get("/v1/balances/batch-" + c + "/transactions").then()
                        .statusCode(200).extract().jsonPath();
                assertThat(history.getLong("balance")).as("batch-" + c).isEqualTo(100 + c - 10);
                assertThat(history.getBoolean("consistent")).isTrue();
                assertThat(history.getList("transactions.idempotencyKey")).containsExactly("top-up", "call");
            }
        });
    }

    private void movementSurvivesHaltAfter(String step) {
        String run = "bcrash-" + UUID.randomUUID().toString().substring(0, 8);
        String customer = "acme";
        Map<String, String> config = config(run);

        BillingProcess dying = start(run + "-a", with(config, "billing.balance.halt-after", step));
        Throwable lost = catchThrowable(() -> move(dying, customer, "credits", 100, "top-up-1"));
        if (step.equals("movement-applied")) {
            assertThat(lost).as("the answer is lost: the process halted after " + step).isNotNull();
        }
        // the history copy is batched after the answer (0116): the answer may or may not have left before the halt
        await().atMost(Duration.ofSeconds(30)).until(() -> !dying.alive());

        BillingProcess restarted = start(run + "-b", config);
        // the client retries with the same key: the first answer, no second movement
        JsonPath retried = move(restarted, customer, "credits", 100, "top-up-1").then().statusCode(200).extract().jsonPath();
        assertThat(retried.getLong("balance")).isEqualTo(100);
        assertThat(retried.getBoolean("replayed")).isTrue();
        restarted.kill();

        BillingProcess dyingAgain = start(run + "-c", with(config, "billing.balance.halt-after", step));
        Throwable lostAgain = catchThrowable(() -> move(dyingAgain, customer, "debits", 30, "call-1"));
        if (step.equals("movement-applied")) {
            assertThat(lostAgain).isNotNull();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> !dyingAgain.alive());

        BillingProcess last = start(run + "-d", config);
        move(last, customer, "debits", 30, "call-1").then().statusCode(200);
        move(last, customer, "debits", 20, "call-2").then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonPath history = request(last).get("/v1/balances/" + customer + "/transactions").then().statusCode(200)
                    .extract().jsonPath();
            assertThat(history.getLong("balance")).isEqualTo(50);
            assertThat(history.getBoolean("consistent")).isTrue();
            assertThat(history.getList("transactions.idempotencyKey")).containsExactly("top-up-1", "call-1", "call-2");
        });
    }

    @Test
    void usageChargedWhenTheWriterDiesAfterClaimingIsDebitedOnce() throws Exception {
        String run = "ucrash-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = "usage-" + run;
        Backlog.createTopic(topic, 2);
        Map<String, String> config = config(run);
        config.put("billing.aggregation.input-topic", topic);
        config.put("billing.aggregation.dlq-topic", topic + ".dlq");

        BillingProcess dying = start(run + "-a", with(config, "billing.balance.halt-after", "usage-claimed"));
        move(dying, "initech", "credits", 1000, "start").then().statusCode(200);
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
        try (TestEvents events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), topic)) {
            for (int i = 0; i < 20; i++) {
                ObjectNode event = TestEvents.event("e" + i, "crash", "call.ended", "initech", hour.plusSeconds(i));
                ((ObjectNode) event.get("data")).put("minutes", 5);
                events.send(event);
            }
            events.flush();
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> !dying.alive());

        BillingProcess restarted = start(run + "-b", config);
        // 100 minutes × 0.5 = 50, debited once although the first writer died holding the claim
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            JsonPath history = request(restarted).get("/v1/balances/initech/transactions").then().statusCode(200)
                    .extract().jsonPath();
            assertThat(history.getLong("balance")).isEqualTo(950);
            assertThat(history.getBoolean("consistent")).isTrue();
        });
    }

    private BillingProcess start(String name, Map<String, String> config) {
        BillingProcess process = new BillingProcess(name, config, true);
        processes.add(process);
        process.start();
        return process;
    }

    private static Map<String, String> config(String run) {
        Map<String, String> meters = new LinkedHashMap<>();
        meters.put("billing.meters.crash-minutes.event-type", "call.ended");
        meters.put("billing.meters.crash-minutes.aggregation", "SUM");
        meters.put("billing.meters.crash-minutes.value-path", "minutes");
        meters.put("billing.meters.crash-minutes.stripe-event-name", "crash_minutes");
        meters.put("billing.balance.unit-prices.crash-minutes", "0.5");
        meters.put("billing.balance.sweep-interval", "PT1S");
        meters.put("billing.reporting.cron", "off");
        return BillingProcess.isolatedConfig(run, "usage-" + run, meters);
    }

    private static Map<String, String> with(Map<String, String> config, String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(config);
        copy.put(key, value);
        return copy;
    }

    private static RequestSpecification request(BillingProcess process) {
        return given().baseUri("http://127.0.0.1").port(process.port()).auth().oauth2(BillingApi.admin());
    }

    private static Response move(BillingProcess process, String customer, String kind, long amount, String key) {
        return request(process).contentType("application/json")
                .body(Map.of("amount", amount, "idempotencyKey", key, "reason", "crash test"))
                .post("/v1/balances/" + customer + "/" + kind);
    }
}
