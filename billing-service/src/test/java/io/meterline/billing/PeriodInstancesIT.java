package io.meterline.billing;

import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.usage.UsageWindowDocument;
import io.meterline.model.usage.WindowSize;
import io.meterline.model.usage.Windows;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Period closing and delivery across packaged billing processes: two instances closing the same periods at once
 * (one winner per period), and an instance killed -9 while its webhook deliveries are in flight.
 */
class PeriodInstancesIT {

    static final int CUSTOMERS = 6;
    static final int HOURS = 2;
    private final List<BillingProcess> processes = new ArrayList<>();
    private final WebhookReceiver receiver = new WebhookReceiver();

    @AfterEach
    void stop() {
        processes.forEach(BillingProcess::stop);
        receiver.close();
    }

    private BillingProcess process(String name, Map<String, String> config) {
        BillingProcess process = new BillingProcess(name, config);
        processes.add(process);
        return process;
    }

    private static Map<String, String> config(String run, String topic, String meter) {
        Map<String, String> meters = new LinkedHashMap<>();
        meters.put("billing.meters." + meter + ".event-type", "it." + meter);
        meters.put("billing.meters." + meter + ".aggregation", "SUM");
        meters.put("billing.meters." + meter + ".value-path", "units");
        meters.put("billing.meters." + meter + ".stripe-event-name", meter);
        Map<String, String> config = BillingProcess.isolatedConfig(run, topic, meters);
        config.put("billing.periods.sizes", "hour");
        config.put("billing.periods.catch-up-every", "off");
        config.put("billing.notifications.dispatch-every", "1s");
        config.put("billing.reporting.cron", "off");
        return config;
    }

    /** Usage in {@link #HOURS} complete hours for {@link #CUSTOMERS} customers; returns the hours. */
    private static List<Instant> produce(String topic, String meter) {
        Instant first = Windows.hourStart(Instant.now()).minus(Duration.ofHours(6));
        List<Instant> hours = new ArrayList<>();
        try (TestEvents events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), topic)) {
            for (int h = 0; h < HOURS; h++) {
                Instant hour = first.plus(Duration.ofHours(h));
                hours.add(hour);
                for (int c = 0; c < CUSTOMERS; c++) {
                    for (int e = 0; e < 3; e++) {
                        var event = TestEvents.event(meter + "-" + h + "-" + c + "-" + e, "instances-it", "it." + meter,
                                "cust-" + c, hour.plusSeconds(60L * e));
                        event.with("data").put("units", e + 1);
                        events.send(event);
                    }
                }
            }
            events.flush();
        }
        return hours;
    }

    private static String admin() {
        return BillingApi.admin();
    }

    /** Waits until MongoDB, which closing reads, holds every customer's hours (6 units each). */
    private static void awaitWindows(BillingProcess process, String meter, List<Instant> hours) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, Double> stored = process.storedWindows();
            for (int c = 0; c < CUSTOMERS; c++) {
                for (Instant hour : hours) {
                    assertThat(stored.get(UsageWindowDocument.idOf(meter, "cust-" + c, "", hour.getEpochSecond())))
                            .as("%s of cust-%d at %s", meter, c, hour).isEqualTo(6.0);
                }
            }
        });
    }

    private void endpoint(BillingProcess process) {
        JsonPath endpoint = given().baseUri(process.url()).auth().oauth2(admin()).contentType("application/json")
                .body(Map.of("url", receiver.url())).post("/admin/webhook-endpoints").then().statusCode(201)
                .extract().jsonPath();
        receiver.secret(endpoint.getString("secret"));
    }

    @Test
    void twoInstancesClosingTheSamePeriodsAtOnceCloseAndNotifyEachOnce() {
        String run = "pclose-" + UUID.randomUUID().toString().substring(0, 6);
        String topic = "usage-" + run;
        String meter = "m" + run;
        Map<String, String> config = config(run, topic, meter);
        BillingProcess a = process(run + "-a", config);
        BillingProcess b = process(run + "-b", config);
        a.start();
        b.start();
        endpoint(a);
        List<Instant> hours = produce(topic, meter);
        awaitWindows(a, meter, hours);

        // both instances run the catch-up at the same moment, three times
        int closed = 0;
        int lost = 0;
        for (int round = 0; round < 3; round++) {
            List<CompletableFuture<JsonPath>> runs = new ArrayList<>();
            for (BillingProcess process : List.of(a, b, a, b)) {
                runs.add(CompletableFuture.supplyAsync(() -> given().baseUri(process.url()).auth().oauth2(admin())
                        .post("/admin/periods/catch-up").then().statusCode(200).extract().jsonPath()));
            }
            for (CompletableFuture<JsonPath> result : runs) {
                closed += result.join().getInt("closed");
                lost += result.join().getInt("lost");
            }
        }
        int expected = CUSTOMERS * HOURS;
        assertThat(closed).as("one winner per period (lost races: %d)", lost).isEqualTo(expected);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(receiver.accepted(meter + "|")).hasSize(expected));
        assertThat(receiver.accepted(meter + "|")).extracting(WebhookReceiver.Received::eventId).doesNotHaveDuplicates();
        assertThat(PeriodTopic.records(meter + "|")).extracting(node -> node.path("id").asText())
                .hasSize(expected).doesNotHaveDuplicates();
    }

    @Test
    void anInstanceKilledMidDeliveryDeliversEveryPeriodOnceAfterRestart() {
        String run = "prestart-" + UUID.randomUUID().toString().substring(0, 6);
        String topic = "usage-" + run;
        String meter = "m" + run;
        Map<String, String> config = config(run, topic, meter);
        // the hanging requests stay open until billing is killed; after the restart their claims expire quickly
        config.put("billing.notifications.request-timeout", "PT20S");
        config.put("billing.notifications.claim-timeout", "PT25S");
        BillingProcess billing = process(run, config);
        billing.start();
        endpoint(billing);
        receiver.policy(id -> 0); // hang: the deliveries are in flight when billing dies
        List<Instant> hours = produce(topic, meter);
        awaitWindows(billing, meter, hours);
        int expected = CUSTOMERS * HOURS;
        assertThat(given().baseUri(billing.url()).auth().oauth2(admin()).post("/admin/periods/catch-up")
                .then().statusCode(200).extract().jsonPath().getInt("closed")).isEqualTo(expected);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(receiver.all(meter + "|").stream()
                .map(WebhookReceiver.Received::eventId).distinct()).hasSize(expected));

        billing.kill();
        receiver.policy(id -> 200);
        receiver.release();
        billing.start();

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                assertThat(receiver.accepted(meter + "|")).hasSize(expected));
        assertThat(receiver.accepted(meter + "|")).extracting(WebhookReceiver.Received::eventId).doesNotHaveDuplicates();
        assertThat(Set.copyOf(receiver.accepted(meter + "|").stream().map(WebhookReceiver.Received::eventId).toList()))
                .isEqualTo(Set.copyOf(receiver.all(meter + "|").stream().map(WebhookReceiver.Received::eventId).toList()));
        assertThat(PeriodTopic.records(meter + "|")).hasSize(expected);
        // nothing is closed twice after the restart
        assertThat(given().baseUri(billing.url()).auth().oauth2(admin()).post("/admin/periods/catch-up")
                .then().statusCode(200).extract().jsonPath().getInt("closed")).isZero();
    }
}
