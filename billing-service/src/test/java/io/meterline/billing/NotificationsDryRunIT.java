package io.meterline.billing;

import io.meterline.billing.notification.WebhookDispatcher;
import io.meterline.billing.period.PeriodCloser;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.Topics;
import io.meterline.model.usage.Windows;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.meterline.billing.BillingApi.admin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * {@code billing.notifications.dry-run=true} with an enabled endpoint whose receiver is real: closed periods are
 * recorded as the deliveries that would be sent (and still published to the topic), nothing reaches the receiver, and
 * the readiness check and the run's log line say dry-run. The automatic dry-run without an enabled endpoint is in
 * {@link PeriodsIT}.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
// only for this class: a resource without the restriction would apply to every test of the module
@QuarkusTestResource(value = NotificationsDryRunIT.DryRunResource.class, restrictToAnnotatedClass = true)
class NotificationsDryRunIT {

    /** The period settings of {@link PeriodsIT}, with notifications in dry-run. */
    public static class DryRunResource extends PeriodsTestResource {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            config.put("billing.notifications.dry-run", "true");
            return config;
        }
    }

    static final WebhookReceiver RECEIVER = new WebhookReceiver();
    static TestEvents events;

    @Inject
    WebhookDispatcher dispatcher;

    @AfterAll
    static void close() {
        RECEIVER.close();
        if (events != null) {
            events.close();
        }
    }

    @Test
    void dryRunRecordsWhatWouldBeSentSendsNothingAndSaysSoInHealthAndInTheRunsLogLine() {
        events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), Topics.USAGE_EVENTS);
        JsonPath endpoint = given().auth().oauth2(admin()).contentType("application/json")
                .body(Map.of("url", RECEIVER.url())).post("/admin/webhook-endpoints")
                .then().statusCode(201).extract().jsonPath();
        RECEIVER.secret(endpoint.getString("secret"));
        String endpointId = endpoint.getString("id");

        given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'period notifications' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'period notifications' }.data.mode", equalTo("dry-run"))
                .body("checks.find { it.name == 'period notifications' }.data.detail",
                        containsString("billing.notifications.dry-run=true"));

        String meter = "pdry" + UUID.randomUUID().toString().substring(0, 6);
        BillingApi.putMeter(meter, Map.<String, Object>of("eventType", "it." + meter, "aggregation", "SUM", "valuePath", "v",
                "stripeEventName", meter));
        Instant hour = Windows.hourStart(Instant.now()).minus(Duration.ofHours(5));
        var event = TestEvents.event("e-" + meter, "dry-run-it", "it." + meter, "cust-dry", hour.plusSeconds(30));
        event.with("data").put("v", 4);
        events.send(event);
        events.flush();
        PeriodsIT.awaitHour(meter, "cust-dry", hour, 4.0);

        int closed;
        try (LogCapture log = new LogCapture(PeriodCloser.class)) {
            closed = PeriodsIT.catchUp().getInt("closed");
            assertThat(log.messages()).as("the run's log line").anyMatch(line -> line.startsWith("periods manual run:")
                    && line.endsWith("notifications dry-run (billing.notifications.dry-run=true)"));
        }
        assertThat(closed).isPositive();
        // the topic is Meterline's own integration point: written in dry-run too
        List<String> onTopic = PeriodTopic.records(meter + "|").stream().map(node -> node.path("id").asText()).toList();
        assertThat(onTopic).isNotEmpty().doesNotHaveDuplicates();

        // what would have been sent: one delivery per closed period for the endpoint, never attempted
        List<Map<String, Object>> recorded = given().auth().oauth2(admin()).queryParam("status", "dry_run")
                .queryParam("limit", 1000).get("/admin/webhook-endpoints/" + endpointId + "/deliveries")
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(recorded).filteredOn(d -> String.valueOf(d.get("eventId")).startsWith(meter + "|"))
                .extracting(d -> String.valueOf(d.get("eventId"))).containsExactlyInAnyOrderElementsOf(onTopic);
        assertThat(recorded).filteredOn(d -> String.valueOf(d.get("eventId")).startsWith(meter + "|"))
                .allMatch(d -> d.get("attempts").equals(0));

        // a dispatch pass right now sends nothing: the receiver the endpoint points at never hears of the periods
        dispatcher.dispatchOnce();
        assertThat(RECEIVER.received()).isEmpty();
        given().auth().oauth2(admin()).queryParam("status", "pending").get("/admin/webhook-endpoints/" + endpointId
                + "/deliveries").then().statusCode(200).body("size()", equalTo(0));
    }
}
