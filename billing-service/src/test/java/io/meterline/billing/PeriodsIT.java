package io.meterline.billing;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterline.billing.aggregation.WindowState;
import io.meterline.billing.period.PeriodClock;
import io.meterline.billing.usage.UsageWindowRepository;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.Topics;
import io.meterline.model.usage.WindowSize;
import io.meterline.model.usage.Windows;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static io.meterline.billing.BillingApi.admin;
import static io.meterline.billing.BillingApi.putMeter;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Closing periods and notifying about them through the real paths: events on Kafka, windows in MongoDB, periods
 * closed over HTTP, records read back from topic usage-periods and webhooks received by a real HTTP receiver that
 * verifies signatures.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
@QuarkusTestResource(PeriodsTestResource.class)
class PeriodsIT {

    static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    static final WebhookReceiver RECEIVER = new WebhookReceiver();
    static TestEvents events;
    String endpointId;

    /** Stands at a chosen instant for completeness (events still flow in real time). */
    static class FixedClock extends PeriodClock {
        volatile Instant now;

        FixedClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant now() {
            return now;
        }
    }

    @BeforeEach
    void setUp() {
        if (events == null) {
            events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), Topics.USAGE_EVENTS);
        }
        RECEIVER.policy(id -> 200);
        JsonPath endpoint = given().auth().oauth2(admin()).contentType("application/json")
                .body(Map.of("url", RECEIVER.url())).post("/admin/webhook-endpoints")
                .then().statusCode(201).extract().jsonPath();
        endpointId = endpoint.getString("id");
        RECEIVER.secret(endpoint.getString("secret"));
    }

    @AfterEach
    void disableEndpoint() {
        given().auth().oauth2(admin()).contentType("application/json").body(Map.of("enabled", false))
                .patch("/admin/webhook-endpoints/" + endpointId).then().statusCode(200);
    }

    @AfterAll
    static void close() {
        RECEIVER.close();
        if (events != null) {
            events.close();
            events = null;
        }
    }

    static final AtomicInteger SEQ = new AtomicInteger();

    static void send(String meter, String customer, Instant time, double value, String user) {
        var event = TestEvents.event("e-" + SEQ.incrementAndGet(), "periods-it", "it." + meter, customer, time);
        event.with("data").put("v", value).put("user", user);
        events.send(event);
    }

    static String meter(String name, String aggregation, String valuePath) {
        String key = "p" + RUN + "-" + name;
        Map<String, Object> body = new LinkedHashMap<>(Map.of("eventType", "it." + key, "aggregation", aggregation,
                "stripeEventName", key));
        if (valuePath != null) {
            body.put("valuePath", valuePath);
        }
        putMeter(key, body);
        return key;
    }

    /**
     * Waits until MongoDB, which closing reads, holds the hour with this value. Not through {@code GET /v1/usage}:
     * that answers from the aggregation's store as soon as Streams counted an event, before the writer copied it.
     */
    static void awaitHour(String meter, String customer, Instant hour, double value) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                storedHours(meter, customer, hour, hour.plus(Duration.ofHours(1)))).extracting(WindowState::value)
                .containsExactly(value));
    }

    /** The ungrouped hours of a meter and customer as MongoDB holds them. */
    static List<WindowState> storedHours(String meter, String customer, Instant from, Instant to) {
        return Arc.container().instance(UsageWindowRepository.class).get()
                .findTotals(meter, customer, from.toEpochMilli(), to.toEpochMilli());
    }

    static JsonPath catchUp() {
        return given().auth().oauth2(admin()).post("/admin/periods/catch-up").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void everyAggregationClosesOnceWithTheExactValueOverItsHoursAndOpenPeriodsNever() {
        // a UTC day three or four days back, never a month's last: the periods close at 02:30 the next day, a fixed
        // instant at which the two hours and the day are complete and the day's month (a default size) is not, and
        // the clock stands still between the two runs, whatever the time of day or month the test runs
        Instant threeDaysBack = Windows.start(Instant.now(), WindowSize.DAY, ZoneOffset.UTC).minus(Duration.ofDays(3));
        Instant day = Windows.start(threeDaysBack, WindowSize.MONTH, ZoneOffset.UTC).equals(Windows.start(
                threeDaysBack.plus(Duration.ofDays(1)), WindowSize.MONTH, ZoneOffset.UTC)) ? threeDaysBack
                        : threeDaysBack.minus(Duration.ofDays(1));
        Instant h1 = day.plus(Duration.ofHours(9));
        Instant h2 = day.plus(Duration.ofHours(14));
        Instant now = day.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(150));
        QuarkusMock.installMockForType(new FixedClock(now), PeriodClock.class);
        // hour 1: 1, 2, 3 by a, b, a; hour 2: 10 by a. AVG over the day is 16/4 = 4 (not the mean of hourly
        // averages, 6); UNIQUE_COUNT is 2 (not 2 + 1); LAST is the value with the latest event time
        Map<String, Double> expected = new LinkedHashMap<>();
        expected.put(meter("sum", "SUM", "v"), 16.0);
        expected.put(meter("count", "COUNT", null), 4.0);
        expected.put(meter("max", "MAX", "v"), 10.0);
        expected.put(meter("min", "MIN", "v"), 1.0);
        expected.put(meter("avg", "AVG", "v"), 4.0);
        expected.put(meter("last", "LAST", "v"), 10.0);
        expected.put(meter("unique", "UNIQUE_COUNT", "user"), 2.0);
        for (String meter : expected.keySet()) {
            send(meter, "cust-a", h1.plusSeconds(60), 1, "a");
            send(meter, "cust-a", h1.plusSeconds(120), 2, "b");
            send(meter, "cust-a", h1.plusSeconds(180), 3, "a");
            send(meter, "cust-a", h2.plusSeconds(60), 10, "a");
            send(meter, "cust-a", now, 5, "z"); // the open hour and the open day: never notified
        }
        events.flush();
        for (String meter : expected.keySet()) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                    storedHours(meter, "cust-a", day, now.plusSeconds(1)).stream()
                            .sorted(Comparator.comparingLong(w -> w.windowStart)).map(w -> w.count))
                    .containsExactly(3L, 1L, 1L));
        }

        JsonPath first = catchUp();
        assertThat(first.getInt("closed")).isGreaterThanOrEqualTo(expected.size() * 3);
        assertThat(catchUp().getInt("closed")).as("a second run closes nothing new").isZero();

        String prefix = "p" + RUN + "-";
        for (Map.Entry<String, Double> entry : expected.entrySet()) {
            String meter = entry.getKey();
            // 2 hours + 1 day per meter; every id once at the receiver and once on the topic
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<WebhookReceiver.Received> got = RECEIVER.accepted(meter + "|");
                assertThat(got).hasSize(3);
                assertThat(got.stream().map(WebhookReceiver.Received::eventId).distinct()).hasSize(3);
            });
            Map<String, JsonNode> bySize = new HashMap<>();
            for (WebhookReceiver.Received received : RECEIVER.accepted(meter + "|")) {
                assertThat(received.body().path("type").asText()).isEqualTo("period.closed");
                assertThat(Instant.parse(received.body().path("end").asText())).isBefore(now);
                if (received.body().path("size").asText().equals("day")) {
                    bySize.put("day", received.body());
                }
            }
            assertThat(bySize.get("day").path("value").asDouble()).as(meter).isEqualTo(entry.getValue());
            assertThat(bySize.get("day").path("eventCount").asLong()).isEqualTo(4);
            assertThat(Instant.parse(bySize.get("day").path("start").asText())).isEqualTo(day);
            List<JsonNode> onTopic = PeriodTopic.records(meter + "|");
            assertThat(onTopic).extracting(node -> node.path("id").asText()).doesNotHaveDuplicates().hasSize(3);

            JsonPath listed = given().auth().oauth2(admin()).queryParam("meter", meter).queryParam("customer", "cust-a")
                    .queryParam("size", "day").queryParam("from", day.minus(Duration.ofDays(1)).toString())
                    .queryParam("to", now.toString()).get("/v1/periods").then().statusCode(200).extract().jsonPath();
            assertThat(listed.getList("periods.value", Double.class)).containsExactly(entry.getValue());
            assertThat(listed.getList("periods.revision", Integer.class)).containsExactly(0);
        }
        assertThat(RECEIVER.all(prefix)).allMatch(WebhookReceiver.Received::signatureValid);
        // the delivery log: one delivered attempt per notification
        List<Map<String, Object>> log = given().auth().oauth2(admin()).get("/admin/webhook-endpoints/" + endpointId
                + "/deliveries?limit=1000").then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(log).filteredOn(d -> String.valueOf(d.get("eventId")).startsWith(prefix))
                .hasSize(expected.size() * 3).allMatch(d -> d.get("status").equals("delivered") && d.get("attempts").equals(1));
    }

    @Test
    void openPeriodsAreSkippedByTheManualCloseWithTheirCompletionTime() {
        String meter = meter("open", "SUM", "v");
        Instant now = Instant.now();
        send(meter, "cust-a", now, 3, "a");
        events.flush();
        awaitHour(meter, "cust-a", Windows.hourStart(now), 3.0);
        Instant today = Windows.start(now, WindowSize.DAY, ZoneOffset.UTC);
        JsonPath answer = given().auth().oauth2(admin()).contentType("application/json")
                .body(Map.of("meter", meter, "size", "day", "from", today.toString(),
                        "to", today.plus(Duration.ofDays(1)).toString()))
                .post("/admin/periods/close").then().statusCode(200).extract().jsonPath();
        assertThat(answer.getInt("closed")).isZero();
        assertThat(answer.getString("skipped[0].reason")).isEqualTo("period_open");
        assertThat(Instant.parse(answer.getString("skipped[0].completesAt")))
                .isEqualTo(today.plus(Duration.ofDays(1)).plus(Duration.ofHours(1)));
        assertThat(catchUp().getInt("closed")).isGreaterThanOrEqualTo(0);
        assertThat(PeriodTopic.records(meter + "|")).isEmpty();
        assertThat(RECEIVER.all(meter + "|")).isEmpty();
    }

    @Test
    void aLateEventInsideTheGraceCountsInTheCloseAndOneAfterItMakesARevision() {
        String meter = meter("late", "SUM", "v");
        // noon UTC two days back: the clock below goes to 70 minutes after the hour's end, never so far that the
        // hour's day (or month) closes too (an hour 30 hours back, as before, was 23:00 when run at 05:xx UTC)
        Instant hour = Windows.start(Instant.now(), WindowSize.DAY, ZoneOffset.UTC).minus(Duration.ofDays(2))
                .plus(Duration.ofHours(12));
        Instant end = hour.plus(Duration.ofHours(1));
        FixedClock clock = new FixedClock(end.plus(Duration.ofMinutes(30)));
        QuarkusMock.installMockForType(clock, PeriodClock.class);
        send(meter, "cust-a", hour.plusSeconds(10), 1, "a");
        events.flush();
        awaitHour(meter, "cust-a", hour, 1.0);

        // 30 minutes after the hour: inside the grace, so the hour is open
        JsonPath manual = given().auth().oauth2(admin()).contentType("application/json")
                .body(Map.of("meter", meter, "size", "hour", "from", hour.toString(), "to", end.toString()))
                .post("/admin/periods/close").then().statusCode(200).extract().jsonPath();
        assertThat(manual.getInt("closed")).isZero();
        assertThat(manual.getString("skipped[0].completesAt")).isEqualTo(end.plus(Duration.ofHours(1)).toString());
        send(meter, "cust-a", hour.plusSeconds(20), 2, "a"); // late, inside the grace
        events.flush();
        awaitHour(meter, "cust-a", hour, 3.0);

        clock.now = end.plus(Duration.ofMinutes(61));
        assertThat(catchUp().getInt("closed")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(RECEIVER.accepted(meter + "|")).hasSize(1));
        assertThat(RECEIVER.accepted(meter + "|").get(0).body().path("value").asDouble()).isEqualTo(3.0);
        assertThat(catchUp().getInt("revised")).as("nothing changed since the close").isZero();

        send(meter, "cust-a", hour.plusSeconds(30), 4, "a"); // late, after the grace: a revision
        events.flush();
        awaitHour(meter, "cust-a", hour, 7.0);
        clock.now = end.plus(Duration.ofMinutes(70));
        JsonPath run = catchUp();
        assertThat(run.getInt("revised")).isEqualTo(1);
        assertThat(run.getInt("closed")).isZero();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(RECEIVER.accepted(meter + "|")).hasSize(2));
        JsonNode revision = RECEIVER.accepted(meter + "|").get(1).body();
        assertThat(revision.path("type").asText()).isEqualTo("period.revised");
        assertThat(revision.path("revision").asInt()).isEqualTo(1);
        assertThat(revision.path("value").asDouble()).isEqualTo(7.0);
        assertThat(revision.path("previousValue").asDouble()).isEqualTo(3.0);
        assertThat(revision.path("reason").asText()).isEqualTo("late_event");
        given().auth().oauth2(admin()).queryParam("meter", meter).queryParam("customer", "cust-a")
                .queryParam("size", "hour").queryParam("from", hour.toString()).queryParam("to", end.toString())
                .get("/v1/periods").then().statusCode(200)
                .body("periods.revision", equalTo(List.of(0, 1)))
                .body("periods.value", equalTo(List.of(3.0f, 7.0f)))
                .body("periods.latest", equalTo(List.of(false, true)));
        assertThat(PeriodTopic.records(meter + "|")).extracting(n -> n.path("revision").asInt()).containsExactly(0, 1);
    }

    @Test
    void aReceiverAnswering500ThenGets200OnRetryWithTheSameId() {
        String meter = meter("retry", "COUNT", null);
        Instant hour = Windows.hourStart(Instant.now()).minus(Duration.ofHours(5));
        Map<String, Integer> calls = new java.util.concurrent.ConcurrentHashMap<>();
        RECEIVER.policy(id -> id.startsWith(meter + "|") && calls.merge(id, 1, Integer::sum) == 1 ? 500 : 200);
        send(meter, "cust-a", hour.plusSeconds(5), 1, "a");
        events.flush();
        awaitHour(meter, "cust-a", hour, 1.0);
        catchUp();
        // the hour's notification only: whether its UTC day has closed too depends on the time of day the test runs
        String hourly = meter + "|cust-a||hour|";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(RECEIVER.accepted(hourly)).hasSize(1));
        List<WebhookReceiver.Received> all = RECEIVER.all(hourly);
        assertThat(all).extracting(WebhookReceiver.Received::answered).containsExactly(500, 200);
        assertThat(all.get(0).eventId()).isEqualTo(all.get(1).eventId());
        List<Integer> statuses = given().auth().oauth2(admin()).get("/admin/webhook-endpoints/" + endpointId
                + "/deliveries?limit=1000").then().statusCode(200).extract().jsonPath()
                .getList("find { it.eventId.startsWith('" + hourly + "') }.log.statusCode", Integer.class);
        assertThat(statuses).containsExactly(500, 200);
    }

    @Test
    void aDeadDeliveryIsReplayedWithTheSameId() {
        String meter = meter("dead", "SUM", "v");
        Instant hour = Windows.hourStart(Instant.now()).minus(Duration.ofHours(6));
        RECEIVER.policy(id -> id.startsWith(meter + "|") ? 503 : 200);
        send(meter, "cust-a", hour.plusSeconds(5), 2, "a");
        events.flush();
        awaitHour(meter, "cust-a", hour, 2.0);
        catchUp();
        String hourly = meter + "|cust-a||hour|"; // as above: the day may have closed too, depending on the time
        String deliveries = "/admin/webhook-endpoints/" + endpointId + "/deliveries";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(given().auth().oauth2(admin())
                .queryParam("status", "dead").get(deliveries).then().statusCode(200).extract().jsonPath()
                .getList("eventId", String.class)).anyMatch(id -> id.startsWith(hourly)));
        assertThat(RECEIVER.all(hourly)).hasSize(3); // max-attempts = 3
        given().auth().oauth2(admin()).get("/q/health/ready").then().body("checks.find { it.name == 'period notifications' }.data.deadDeliveries",
                org.hamcrest.Matchers.greaterThanOrEqualTo(1));

        RECEIVER.policy(id -> 200);
        given().auth().oauth2(admin()).post("/admin/webhook-endpoints/" + endpointId + "/replay").then().statusCode(200)
                .body("replayed", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(RECEIVER.accepted(hourly)).hasSize(1));
        assertThat(RECEIVER.all(hourly).stream().map(WebhookReceiver.Received::eventId).distinct()).hasSize(1);
    }

    @jakarta.inject.Inject
    io.meterline.billing.notification.WebhookDispatcher dispatcher;

    static double dryRunDeliveries() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith("meterline_webhook_deliveries_dry_run_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void withoutAnEnabledEndpointNotificationsAreDryRunAutomaticallyAndSaySo() {
        // every endpoint off: this test's, and any other test's left in the shared database
        for (String id : given().auth().oauth2(admin()).get("/admin/webhook-endpoints").then().statusCode(200)
                .extract().jsonPath().getList("findAll { it.enabled }.id", String.class)) {
            given().auth().oauth2(admin()).contentType("application/json").body(Map.of("enabled", false))
                    .patch("/admin/webhook-endpoints/" + id).then().statusCode(200);
        }
        given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'period notifications' }.data.mode", equalTo("dry-run"))
                .body("checks.find { it.name == 'period notifications' }.data.detail",
                        equalTo("dry-run (no enabled endpoint)"));
        String meter = meter("auto-dry", "SUM", "v");
        Instant hour = Windows.hourStart(Instant.now()).minus(Duration.ofHours(7));
        send(meter, "cust-a", hour.plusSeconds(5), 6, "a");
        events.flush();
        awaitHour(meter, "cust-a", hour, 6.0);
        double recordedBefore = dryRunDeliveries();

        try (LogCapture log = new LogCapture(io.meterline.billing.period.PeriodCloser.class)) {
            assertThat(catchUp().getInt("closed")).isPositive();
            assertThat(log.messages()).as("the run's log line").anyMatch(line -> line.startsWith("periods manual run:")
                    && line.endsWith("notifications dry-run (no enabled endpoint)"));
        }
        List<JsonNode> onTopic = PeriodTopic.records(meter + "|");
        assertThat(onTopic).as("the topic is written in dry-run too").isNotEmpty();
        assertThat(dryRunDeliveries() - recordedBefore).as("recorded as would-be deliveries")
                .isGreaterThanOrEqualTo(onTopic.size());
        dispatcher.dispatchOnce();
        assertThat(RECEIVER.all(meter + "|")).isEmpty();
    }

    @jakarta.inject.Inject
    io.meterline.billing.period.PeriodPublisher publisher;
    @jakarta.inject.Inject
    io.meterline.billing.period.PeriodRepository periods;
    @jakarta.inject.Inject
    com.mongodb.client.MongoClient mongo;
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.mongodb.database")
    String database;

    @Test
    void anInterruptedPublicationIsFinishedOnceAfterCheckingTheTopic() {
        String meter = meter("crash", "SUM", "v");
        Instant hour = Windows.hourStart(Instant.now()).minus(Duration.ofHours(8));
        send(meter, "cust-a", hour.plusSeconds(5), 2, "a");
        events.flush();
        awaitHour(meter, "cust-a", hour, 2.0);
        catchUp();
        int closed = PeriodTopic.records(meter + "|").size();
        assertThat(closed).isPositive();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(RECEIVER.accepted(meter + "|")).hasSize(closed));
        Date tenMinutesAgo = Date.from(Instant.now().minus(Duration.ofMinutes(10)));
        // a crash after the Kafka commit, before the publication was finished: the records are on the topic already
        var collection = mongo.getDatabase(database).getCollection(io.meterline.billing.period.PeriodDocument.COLLECTION);
        List<String> closedIds = collection.find(new org.bson.Document("meter", meter))
                .map(document -> document.getString("_id")).into(new java.util.ArrayList<>());
        collection.updateMany(new org.bson.Document("meter", meter), new org.bson.Document("$set",
                new org.bson.Document("publication", "pp_committed")));
        periods.startPublication(publication("pp_committed", closedIds, tenMinutesAgo));
        // a crash right after the insert that closed a period, before anything was published; the same publication
        // also names a period another instance closed (its own publication publishes it, not this one)
        io.meterline.billing.period.PeriodDocument inserted = new io.meterline.billing.period.PeriodDocument();
        inserted.periodKey = io.meterline.model.period.PeriodIds.periodKey(meter, "cust-crash", "", "hour", hour.getEpochSecond());
        inserted.id = io.meterline.model.period.PeriodIds.revisionId(inserted.periodKey, 0);
        inserted.meter = meter;
        inserted.customer = "cust-crash";
        inserted.groupKey = "";
        inserted.group = Map.of();
        inserted.size = "hour";
        inserted.start = Date.from(hour);
        inserted.end = Date.from(hour.plus(Duration.ofHours(1)));
        inserted.timeZone = "UTC";
        inserted.aggregation = "SUM";
        inserted.value = 9;
        inserted.eventCount = 1;
        inserted.closedAt = tenMinutesAgo;
        inserted.closedBy = "schedule";
        inserted.publication = "pp_inserted";
        periods.startPublication(publication("pp_inserted", List.of(inserted.id, closedIds.get(0)), tenMinutesAgo));
        assertThat(periods.insertIfAbsent(List.of(inserted))).hasSize(1);

        assertThat(publisher.recover()).isGreaterThanOrEqualTo(closed + 1);
        assertThat(publisher.recover()).as("nothing left to recover").isZero();
        List<String> onTopic = PeriodTopic.records(meter + "|").stream().map(node -> node.path("id").asText()).toList();
        assertThat(onTopic).hasSize(closed + 1).doesNotHaveDuplicates().contains(inserted.id);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(RECEIVER.accepted(meter + "|")).hasSize(closed + 1));
        assertThat(RECEIVER.accepted(meter + "|")).extracting(WebhookReceiver.Received::eventId).doesNotHaveDuplicates();
    }

    private static io.meterline.billing.period.PeriodPublicationDocument publication(String id, List<String> periodIds,
            Date at) {
        io.meterline.billing.period.PeriodPublicationDocument publication = new io.meterline.billing.period.PeriodPublicationDocument();
        publication.id = id;
        publication.periodIds = periodIds;
        publication.startedAt = at;
        publication.at = at;
        publication.by = "a-dead-instance";
        return publication;
    }

    @Test
    void badRequestsNameTheFieldAtFault() {
        given().auth().oauth2(admin()).contentType("application/json").body(Map.of("url", "ftp://x"))
                .post("/admin/webhook-endpoints").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("url"));
        given().auth().oauth2(admin()).contentType("application/json")
                .body(Map.of("meter", meter("bad", "SUM", "v"), "size", "fortnight", "from", "2026-01-01T00:00:00Z",
                        "to", "2026-01-02T00:00:00Z"))
                .post("/admin/periods/close").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("size"));
        given().auth().oauth2(admin()).queryParam("meter", "nope").queryParam("customer", "c").get("/v1/periods")
                .then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(BillingApi.token(java.util.Set.of("usage:read"), List.of("other")))
                .queryParam("meter", "nope").queryParam("customer", "c").get("/v1/periods").then().statusCode(403);
    }
}
