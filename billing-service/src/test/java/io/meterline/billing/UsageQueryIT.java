package io.meterline.billing;

import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.Topics;
import io.meterline.model.usage.WindowSize;
import io.meterline.model.usage.Windows;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.meterline.billing.BillingApi.token;
import static io.meterline.billing.BillingApi.usage;
import static io.meterline.billing.BillingApi.usageRequest;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** The query API: time-zone day boundaries, closed flags, token scoping and parameter errors. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
class UsageQueryIT {

    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String METER = "query-" + RUN;
    /** Two days ago, 00:00 UTC. Asia/Tokyo is UTC+9 all year: 14:30Z is 23:30 there, 15:30Z already the next day. */
    static final Instant D0 = Windows.start(Instant.now(), WindowSize.DAY, ZoneOffset.UTC).minus(Duration.ofDays(2));
    static final Instant BEFORE_TOKYO_MIDNIGHT = D0.plus(Duration.ofMinutes(14 * 60 + 30));
    static final Instant AFTER_TOKYO_MIDNIGHT = D0.plus(Duration.ofMinutes(15 * 60 + 30));
    static TestEvents events;

    /** Once per class, but after the application is up (a static @BeforeAll runs before REST Assured knows the port). */
    @org.junit.jupiter.api.BeforeEach
    void produceUsageOnce() {
        if (events == null) {
            produceUsage();
        }
    }

    static void produceUsage() {
        BillingApi.putMeter(METER, Map.of("eventType", "it." + METER, "aggregation", "SUM", "valuePath", "units",
                "stripeEventName", "query"));
        events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), Topics.USAGE_EVENTS);
        send("cust-a", BEFORE_TOKYO_MIDNIGHT, 1);
        send("cust-a", AFTER_TOKYO_MIDNIGHT, 2);
        send("cust-a", Instant.now(), 5);
        send("cust-b", BEFORE_TOKYO_MIDNIGHT, 7);
        events.flush();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(usage(METER, "cust-a", D0, Instant.now(), "hour", null, null)
                    .getList("windows.value", Double.class)).containsExactly(1.0, 2.0, 5.0);
            assertThat(usage(METER, "cust-b", D0, Instant.now(), "hour", null, null)
                    .getList("windows.value", Double.class)).containsExactly(7.0);
        });
    }

    @AfterAll
    static void close() {
        if (events != null) {
            events.close();
            events = null;
        }
    }

    static void send(String customer, Instant time, double units) {
        var event = TestEvents.event(UUID.randomUUID().toString(), "it", "it." + METER, customer, time);
        ((com.fasterxml.jackson.databind.node.ObjectNode) event.get("data")).put("units", units);
        events.send(event);
    }

    @Test
    void dayWindowsFollowTheRequestedTimeZone() {
        JsonPath utc = usage(METER, "cust-a", D0, D0.plus(Duration.ofDays(1)), "day", "UTC", null);
        assertThat(utc.getList("windows.start", String.class)).containsExactly(D0.toString());
        assertThat(utc.getList("windows.value", Double.class)).containsExactly(3.0);

        JsonPath tokyo = usage(METER, "cust-a", D0.minus(Duration.ofDays(1)), D0.plus(Duration.ofDays(1)), "day",
                "Asia/Tokyo", null);
        assertThat(tokyo.getString("tz")).isEqualTo("Asia/Tokyo");
        assertThat(tokyo.getList("windows.start", String.class)).containsExactly(
                D0.minus(Duration.ofHours(9)).toString(), D0.plus(Duration.ofHours(15)).toString());
        assertThat(tokyo.getList("windows.value", Double.class)).containsExactly(1.0, 2.0);
    }

    @Test
    void pastWindowsAreClosedAndTheCurrentHourIsOpen() {
        JsonPath past = usage(METER, "cust-a", D0, Instant.now().plus(Duration.ofHours(1)), "hour", null, null);
        assertThat(past.getList("windows.closed", Boolean.class)).hasSize(3).startsWith(true, true);
        // the current hour is that of an event sent here and asked about before that hour ends (once more if an
        // hour began in between): the usage sent "now" when the class started may lie in an hour that has ended since
        String customer = "cust-now";
        Instant sent;
        JsonPath hours;
        JsonPath months;
        do {
            Instant at = Instant.now();
            sent = at;
            send(customer, at, 1);
            events.flush();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(usage(METER, customer,
                    Windows.hourStart(at), at.plus(Duration.ofHours(1)), "hour", null, null)
                    .getList("windows.start", String.class)).containsExactly(Windows.hourStart(at).toString()));
            hours = usage(METER, customer, D0, Instant.now().plus(Duration.ofHours(1)), "hour", null, null);
            months = usage(METER, customer, D0, Instant.now(), "month", null, null);
        } while (!Windows.hourStart(Instant.now()).equals(Windows.hourStart(sent)));
        List<Boolean> closed = hours.getList("windows.closed", Boolean.class);
        assertThat(hours.getList("windows.start", String.class)).last().isEqualTo(Windows.hourStart(sent).toString());
        assertThat(closed.get(closed.size() - 1)).as("the hour containing now").isFalse();
        assertThat(closed.subList(0, closed.size() - 1)).as("an hour that ended while the test ran").allMatch(c -> c);
        List<Boolean> monthClosed = months.getList("windows.closed", Boolean.class);
        assertThat(months.getList("windows.start", String.class)).last()
                .isEqualTo(Windows.start(sent, WindowSize.MONTH, ZoneOffset.UTC).toString());
        assertThat(monthClosed.get(monthClosed.size() - 1)).as("the month containing now").isFalse();
    }

    @Test
    void tokenScopedToACustomerReadsOnlyThatCustomer() {
        String scoped = token(Set.of("usage:read"), List.of("cust-a"));
        usageRequest(scoped, METER, "cust-a", D0, Instant.now()).get("/v1/usage").then().statusCode(200);
        usageRequest(scoped, METER, "cust-b", D0, Instant.now()).get("/v1/usage").then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("forbidden_customer"));
        String writerOnly = token(Set.of("usage:write"), List.of("cust-a"));
        usageRequest(writerOnly, METER, "cust-b", D0, Instant.now()).get("/v1/usage").then().statusCode(403);
    }

    @Test
    void adminAndUsageReadSeeEveryCustomer() {
        for (String role : List.of("admin", "usage:read")) {
            usageRequest(token(Set.of(role), List.of()), METER, "cust-b", D0, Instant.now()).get("/v1/usage")
                    .then().statusCode(200).body("windows[0].value", equalTo(7.0f));
        }
        usageRequest(token(Set.of("usage:write"), List.of()), METER, "cust-b", D0, Instant.now()).get("/v1/usage")
                .then().statusCode(403);
        given().queryParam("meter", METER).queryParam("customer", "cust-b").get("/v1/usage").then().statusCode(401);
    }

    @Test
    void badParametersAreProblemsNamingTheParameter() {
        String admin = BillingApi.admin();
        Map<String, Map<String, String>> cases = Map.of(
                "window", Map.of("window", "fortnight"),
                "tz", Map.of("tz", "Mars/Olympus_Mons"),
                "from", Map.of("from", "yesterday"),
                "to", Map.of("to", "2026-13-45T00:00:00Z"));
        cases.forEach((parameter, query) -> given().auth().oauth2(admin).queryParam("meter", METER)
                .queryParam("customer", "cust-a").queryParams(query).get("/v1/usage")
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("invalid_parameter")).body("errors[0].field", equalTo(parameter)));
        given().auth().oauth2(admin).queryParam("meter", METER).get("/v1/usage")
                .then().statusCode(400).body("errors[0].field", equalTo("customer"));
        given().auth().oauth2(admin).queryParam("meter", "no-such-meter").queryParam("customer", "cust-a")
                .get("/v1/usage").then().statusCode(404).contentType("application/problem+json")
                .body("errors[0].field", equalTo("meter"));
        usageRequest(admin, METER, "cust-a", Instant.now(), D0).get("/v1/usage").then().statusCode(400)
                .body("errors[0].field", equalTo("from"));
    }
}
