package io.meterline.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.stripe.param.billing.MeterCreateParams.DefaultAggregation.Formula;
import io.meterline.billing.lease.LeaseRepository;
import io.meterline.devstack.stripe.StripeStandIn;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.Topics;
import io.meterline.model.usage.Aggregation;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * Reconciliation against the Stripe stand-in through stripe-java: events lost at Stripe after acceptance, a total
 * changed at Stripe, summaries failing for one meter; corrections sent once, across a crash; the explain endpoint.
 */
@QuarkusTest
class ReconciliationIT extends StripeReportingFixture {

    static final Instant H1 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(4));
    static final Instant H2 = H1.plus(Duration.ofHours(1));
    static final Instant H3 = H1.plus(Duration.ofHours(2));

    @Inject
    LeaseRepository lease;

    /** Three paying subjects and one free-tier subject, each with usage in H1 and H2 on both meters, reported. */
    private record Setup(StripeSeed.Metered a, StripeSeed.Metered b, List<String> subjects, Map<String, String> customerOf) {
    }

    private Setup usageReportedToStripe() throws Exception {
        StripeSeed.Metered a = seed.metered("rec_a_" + run, Formula.SUM);
        StripeSeed.Metered b = seed.metered("rec_b_" + run, Formula.SUM);
        StripeSeed.meter("ra-" + run, Aggregation.SUM, a.eventName(), a.priceId());
        StripeSeed.meter("rb-" + run, Aggregation.SUM, b.eventName(), b.priceId());
        Map<String, String> customerOf = new HashMap<>();
        List<String> subjects = List.of("c1-" + run, "c2-" + run, "c3-" + run, "free-" + run);
        for (String subject : subjects.subList(0, 3)) {
            String customer = seed.customer(subject, null);
            seed.subscription(customer, "active", a, b);
            customerOf.put(subject, customer);
        }
        try (TestEvents events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), Topics.USAGE_EVENTS)) {
            ObjectNode repeated = null;
            for (String subject : subjects) {
                for (Instant hour : List.of(H1, H2)) {
                    for (String meter : List.of("ra-", "rb-")) {
                        for (int i = 0; i < 3; i++) {
                            ObjectNode e = event(meter + run, subject, hour.plusSeconds(60L * i), 5);
                            events.send(e);
                            repeated = repeated == null ? e : repeated;
                        }
                    }
                }
            }
            // one repeat of (c1, ra, H1)'s first event, and one event for c1 in H1 that is refused (data not an object)
            events.send(repeated);
            ObjectNode refused = TestEvents.event("refused-" + run, "rec-test", "report.ra-" + run, subjects.get(0),
                    H1.plusSeconds(30));
            refused.put("data", "not an object");
            events.send(refused);
            events.flush();
        }
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            for (String subject : subjects) {
                for (Instant hour : List.of(H1, H2)) {
                    for (String meter : List.of("ra-", "rb-")) {
                        assertThat(windowValue(meter + run, subject, hour)).as(meter + subject + hour).isEqualTo(15.0);
                    }
                }
            }
        });
        assertThat(StripeSeed.report().getString("status")).isEqualTo("completed");
        return new Setup(a, b, subjects, customerOf);
    }

    @Test
    void runFindsExactlyTheWindowsThatDifferAndCorrectsUnderReportedOnesOnce() throws Exception {
        Setup s = usageReportedToStripe();
        String c1 = s.customerOf().get("c1-" + run);
        String c2 = s.customerOf().get("c2-" + run);
        // Stripe loses what it accepted for (c1, a, H1); someone adds 7 to (c2, a, H2) and 4 to (c2, a, H3)
        List<String> lost = standIn.meterEvents().stream()
                .filter(e -> e.customer().equals(c1) && e.eventName().equals(s.a().eventName())
                        && !e.timestamp().isBefore(H1) && e.timestamp().isBefore(H2))
                .map(StripeStandIn.MeterEventView::identifier).toList();
        assertThat(lost).isNotEmpty();
        assertThat(standIn.meterEventControl().drop(lost)).isEqualTo(lost.size());
        standIn.meterEventControl().inject(s.a().eventName(), c2, 7, H2.getEpochSecond() + 10);
        standIn.meterEventControl().inject(s.a().eventName(), c2, 4, H3.getEpochSecond() + 10);
        // summaries of meter b fail for good
        standIn.faults().serverError("/v1/billing/meters/" + s.b().meterId() + "/event_summaries", 1000);

        JsonPath first = reconcile("ra-" + run, false);
        assertThat(first.getString("status")).isEqualTo("completed");
        assertThat(first.getMap("counts")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "match", 4, "under_reported", 1, "over_reported", 2, "not_billable", 2));
        assertThat(first.getInt("corrected")).isEqualTo(1);
        assertThat(first.getInt("correctionUnits")).isEqualTo(15);
        assertThat(first.getInt("drift.ra-" + run + ".under")).isEqualTo(15);
        assertThat(first.getInt("drift.ra-" + run + ".over")).isEqualTo(11);
        assertThat(first.getInt("summaryLists")).isEqualTo(3);
        JsonPath windows = given().auth().oauth2(BillingApi.admin()).queryParam("size", 2)
                .get("/admin/reconciliations/" + first.getString("id")).then().statusCode(200).extract().jsonPath();
        assertThat(windows.getList("windows")).hasSize(2);
        List<Map<String, Object>> differing = given().auth().oauth2(BillingApi.admin())
                .get("/admin/reconciliations/" + first.getString("id")).then().statusCode(200).extract().jsonPath()
                .getList("windows");
        assertThat(differing).hasSize(5);
        Map<String, Object> under = differing.stream().filter(w -> w.get("windowClass").equals("under_reported"))
                .findFirst().orElseThrow();
        assertThat(under.get("customerId")).isEqualTo(c1);
        assertThat(under.get("ledger")).isEqualTo(15);
        assertThat(((Number) under.get("stripe")).doubleValue()).isEqualTo(0.0);
        assertThat((String) under.get("correctionIdentifier")).startsWith("mlrc1_");
        assertThat(under.get("correctionStatus")).isEqualTo("delivered");
        List<Map<String, Object>> over = differing.stream().filter(w -> w.get("windowClass").equals("over_reported")).toList();
        assertThat(over).extracting(w -> w.get("customerId")).containsOnly(c2);
        assertThat(over).extracting(w -> ((Number) w.get("difference")).intValue()).containsExactlyInAnyOrder(7, 4);
        assertThat(over).allSatisfy(w -> assertThat(w.get("correctionIdentifier")).isNull());
        assertThat(differing.stream().filter(w -> w.get("windowClass").equals("not_billable")))
                .allSatisfy(w -> assertThat(w.get("skipReason")).isEqualTo("no_stripe_customer"));
        assertThat(seed.stripeHourTotal(s.a(), c1, H1)).isEqualTo(15);

        // the over-report is raised, never corrected
        given().get("/q/metrics").then().body(org.hamcrest.Matchers.containsString(
                "meterline_reconciliation_over_reported_windows{meter=\"ra-" + run + "\",service=\"billing-service\"} 2.0"));

        JsonPath second = reconcile("ra-" + run, false);
        assertThat(second.getMap("counts")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "match", 5, "over_reported", 2, "not_billable", 2));
        assertThat(second.getInt("corrected")).isZero();
        assertThat(standIn.meterEvents().stream().filter(e -> e.identifier().startsWith("mlrc1_")
                && e.customer().equals(c1))).hasSize(1);

        JsonPath unknown = reconcile("rb-" + run, false);
        assertThat(unknown.getMap("counts")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "stripe_unknown", 6, "not_billable", 2));
        assertThat(unknown.getInt("drift.rb-" + run + ".unknownWindows")).isEqualTo(6);
        assertThat(unknown.getList("errors", String.class)).anySatisfy(e -> assertThat(e).contains("event summaries"));
        standIn.faults().clear();
        JsonPath known = reconcile("rb-" + run, false);
        assertThat(known.getMap("counts")).containsExactlyInAnyOrderEntriesOf(Map.of("match", 6, "not_billable", 2));

        // the window explained: total, deltas with identifiers, the correction, the latest verdict with Stripe's number
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(explain("c1-" + run, H1)
                .getInt("deadLettered.not_an_object")).isEqualTo(1));
        JsonPath explained = explain("c1-" + run, H1);
        assertThat(explained.getDouble("total")).isEqualTo(15.0);
        assertThat(explained.getInt("eventCount")).isEqualTo(3);
        assertThat(explained.getInt("duplicatesDropped")).isEqualTo(1);
        // H1 had ended hours before its events arrived
        assertThat(explained.getInt("lateCount")).isEqualTo(3);
        assertThat(explained.getList("lateEvents")).hasSize(3);
        assertThat(explained.getInt("deadLettered.not_an_object")).isEqualTo(1);
        assertThat(explained.getString("deltas[0].identifier")).startsWith("ml1_");
        assertThat(explained.getInt("deltas[0].amount")).isEqualTo(15);
        assertThat(explained.getString("corrections[0].identifier")).startsWith("mlrc1_");
        assertThat(explained.getString("corrections[0].status")).isEqualTo("delivered");
        assertThat(explained.getString("reconciliation.windowClass")).isEqualTo("match");
        assertThat(explained.getDouble("reconciliation.stripe")).isEqualTo(15.0);
        assertThat(explained.getString("ledger.stripeCustomer")).isEqualTo(c1);
    }

    @Test
    void correctionInFlightWhenTheRunFailedIsSentAgainWithTheSameIdentifierAndCountedOnce() throws Exception {
        StripeSeed.Metered a = seed.metered("rec_crash_" + run, Formula.SUM);
        String customer = reportedThenLostAtStripe(a, "rc-" + run, "crash-" + run, 40);

        // Stripe takes the correction but every answer is lost: the run ends with the correction still pending
        standIn.faults().dropResponse("/v1/billing/meter_events", 100);
        JsonPath failed = reconcile("rc-" + run, false);
        assertThat(failed.getInt("counts.under_reported")).isEqualTo(1);
        assertThat(failed.getInt("corrected")).isZero();
        assertThat(failed.getInt("correctionsFailed")).isEqualTo(1);
        standIn.faults().clear();

        JsonPath rerun = reconcile("rc-" + run, false);
        assertThat(rerun.getInt("pendingCorrectionsResent")).isEqualTo(1);
        assertThat(rerun.getInt("corrected")).isEqualTo(1);
        assertThat(rerun.getMap("counts")).containsExactlyEntriesOf(Map.of("match", 1));
        assertThat(seed.stripeHourTotal(a, customer, H1)).isEqualTo(40);
        assertThat(standIn.meterEvents().stream().filter(e -> e.customer().equals(customer)
                && e.identifier().startsWith("mlrc1_"))).hasSize(1);
    }

    @Test
    void dryRunClassifiesWithoutSendingAnything() throws Exception {
        StripeSeed.Metered a = seed.metered("rec_dry_" + run, Formula.SUM);
        String customer = reportedThenLostAtStripe(a, "rd-" + run, "dry-" + run, 12);
        long before = standIn.meterEventCount();

        JsonPath dry = reconcile("rd-" + run, true);
        assertThat(dry.getBoolean("dryRun")).isTrue();
        assertThat(dry.getInt("counts.under_reported")).isEqualTo(1);
        assertThat(dry.getInt("corrected")).isZero();
        assertThat(standIn.meterEventCount()).isEqualTo(before);
        assertThat(seed.stripeHourTotal(a, customer, H1)).isZero();
        given().auth().oauth2(BillingApi.admin()).get("/admin/reconciliations/" + dry.getString("id")).then()
                .statusCode(200).body("windows.correctionStatus", hasItem("dry_run"));
    }

    @Test
    void oneRunAtATimeAndBadInputIsNamed() {
        assertThat(lease.acquire("stripe-reconciler", "someone-else", Duration.ofMinutes(1))).isTrue();
        try {
            given().auth().oauth2(BillingApi.admin()).contentType("application/json").body(Map.of())
                    .post("/admin/reconciliations").then().statusCode(409)
                    .body("code", equalTo("reconciliation_in_progress"));
        } finally {
            lease.release("stripe-reconciler", "someone-else");
        }
        given().auth().oauth2(BillingApi.admin()).contentType("application/json").body(Map.of("from", "yesterday"))
                .post("/admin/reconciliations").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("from"));
        given().auth().oauth2(BillingApi.admin()).get("/admin/reconciliations/rec_missing").then().statusCode(404)
                .body("code", equalTo("reconciliation_not_found"));
        given().auth().oauth2(BillingApi.token(Set.of("usage:read"), List.of("x"))).contentType("application/json")
                .body(Map.of()).post("/admin/reconciliations").then().statusCode(403);
        given().auth().oauth2(BillingApi.admin()).queryParam("customer", "x")
                .queryParam("hour", "noon").get("/v1/usage/explain").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("meter"));
    }

    /** One paying subject with {@code value} in H1, reported; then Stripe loses it. Answers the Stripe customer. */
    private String reportedThenLostAtStripe(StripeSeed.Metered metered, String meter, String subject, double value)
            throws Exception {
        StripeSeed.meter(meter, Aggregation.SUM, metered.eventName(), metered.priceId());
        String customer = seed.customer(subject, null);
        seed.subscription(customer, "active", metered);
        seed.window(meter, subject, null, H1, value, Aggregation.SUM);
        StripeSeed.report();
        standIn.meterEventControl().drop(standIn.meterEvents().stream().filter(e -> e.customer().equals(customer))
                .map(StripeStandIn.MeterEventView::identifier).toList());
        return customer;
    }

    private JsonPath explain(String subject, Instant hour) {
        return given().auth().oauth2(BillingApi.admin()).queryParam("meter", "ra-" + run).queryParam("customer", subject)
                .queryParam("hour", hour.toString()).get("/v1/usage/explain").then().statusCode(200).extract().jsonPath();
    }

    private JsonPath reconcile(String meter, boolean dryRun) {
        Map<String, Object> body = new HashMap<>();
        body.put("from", H1.minus(Duration.ofHours(1)).toString());
        body.put("to", Instant.now().toString());
        body.put("meter", meter);
        body.put("dryRun", dryRun);
        return given().auth().oauth2(BillingApi.admin()).contentType("application/json").body(body)
                .post("/admin/reconciliations").then().statusCode(201).extract().jsonPath();
    }

    private Double windowValue(String meter, String subject, Instant hour) {
        var window = seed.db.getCollection(io.meterline.model.usage.UsageWindowDocument.COLLECTION)
                .find(com.mongodb.client.model.Filters.eq("_id", io.meterline.model.usage.UsageWindowDocument.idOf(meter,
                        subject, "", hour.getEpochSecond()))).first();
        return window == null ? null : ((Number) window.get("value")).doubleValue();
    }

    private static ObjectNode event(String meter, String subject, Instant time, double n) {
        ObjectNode event = TestEvents.event(UUID.randomUUID().toString(), "rec-test", "report." + meter, subject, time);
        ((ObjectNode) event.get("data")).put("n", n);
        return event;
    }
}
