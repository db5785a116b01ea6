package io.meterline.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.model.Filters;
import com.stripe.param.billing.MeterCreateParams.DefaultAggregation.Formula;
import io.meterline.billing.reporting.ReportLeaseRepository;
import io.meterline.billing.usage.WindowChangeRepository;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.Topics;
import io.meterline.model.report.MeterEventIdentifier;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.UsageWindowDocument;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.meterline.billing.StripeSeed.report;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** Reporting to the Stripe stand-in through stripe-java: exactness, skips, lost answers, faults, the lease. */
@QuarkusTest
class ReportingIT extends StripeReportingFixture {

    static final Instant H1 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
    static final Instant H2 = H1.plus(Duration.ofHours(1));
    static final Instant H3 = H1.plus(Duration.ofHours(2));

    @Inject
    ReportLeaseRepository lease;

    @Test
    void generatedWorkloadIsReportedExactlyPerCustomerMeterAndHour() throws Exception {
        StripeSeed.Metered calls = seed.metered("calls_" + run, Formula.SUM);
        StripeSeed.Metered count = seed.metered("count_" + run, Formula.SUM);
        StripeSeed.meter("calls-" + run, Aggregation.SUM, calls.eventName(), calls.priceId());
        StripeSeed.meter("count-" + run, Aggregation.COUNT, count.eventName(), count.priceId());
        // the count meter selects the same events as the sum meter
        Map<String, Object> countMeter = new HashMap<>(Map.of("eventType", "report.calls-" + run, "aggregation", "COUNT",
                "stripeEventName", count.eventName(), "stripePriceId", count.priceId()));
        BillingApi.putMeter("count-" + run, countMeter);
        String org = "org-" + run;
        Map<String, String> customerOf = new HashMap<>();
        for (String subject : List.of("s1", "s2")) {
            String customer = seed.customer(subject + "-" + run, null);
            seed.subscription(customer, "active", calls, count);
            customerOf.put(subject + "-" + run, customer);
        }
        String orgCustomer = seed.customer(null, org);
        seed.subscription(orgCustomer, "trialing", calls, count);
        customerOf.put("s3-" + run, orgCustomer);
        customerOf.put("s4-" + run, orgCustomer);

        Map<String, double[]> expected = new HashMap<>();
        Random random = new Random(7);
        double[] values = {1, 2.5, 3, 0.25, 10};
        try (TestEvents events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), Topics.USAGE_EVENTS)) {
            for (String subject : customerOf.keySet()) {
                for (Instant hour : List.of(H1, H2, H3)) {
                    int n = 5 + random.nextInt(20);
                    double sum = 0;
                    for (int i = 0; i < n; i++) {
                        double value = values[random.nextInt(values.length)];
                        sum += value;
                        events.send(event(subject, subject.startsWith("s3") || subject.startsWith("s4") ? org : null,
                                hour.plusSeconds(i * 60L), value));
                    }
                    expected.put(subject + "|" + hour.getEpochSecond(), new double[] {sum, n});
                }
            }
            events.flush();
        }
        awaitWindows("calls-" + run, expected, 0);
        awaitWindows("count-" + run, expected, 1);

        JsonPath first = report();
        assertThat(first.getBoolean("dryRun")).isFalse();
        assertThat(first.getString("status")).isEqualTo("completed");
        assertExact(calls, count, customerOf, expected);

        // more usage in one window: only its delta goes out
        try (TestEvents events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), Topics.USAGE_EVENTS)) {
            for (int i = 0; i < 4; i++) {
                events.send(event("s1-" + run, null, H2.plusSeconds(3000 + i), 2.5));
            }
            events.flush();
        }
        double[] grown = expected.get("s1-" + run + "|" + H2.getEpochSecond());
        grown[0] += 10;
        grown[1] += 4;
        awaitWindows("calls-" + run, expected, 0);
        awaitWindows("count-" + run, expected, 1);
        JsonPath second = report();
        assertThat(second.getLong("reported")).isGreaterThanOrEqualTo(2);
        assertExact(calls, count, customerOf, expected);

        // nothing left to send: no meter event goes out (the run still reads Stripe's meters to check them)
        long meterEventCalls = standIn.requestCount("POST", "/v1/billing/meter_events");
        JsonPath third = report();
        assertThat(standIn.requestCount("POST", "/v1/billing/meter_events")).isEqualTo(meterEventCalls);
        assertThat(third.getLong("reported")).isZero();
        // and none of these windows is read again: each was settled and is no longer marked as changed
        assertThat(third.getString("scope")).isEqualTo("changed");
        assertThat(WindowChangeRepository.all(seed.db).versions().keySet())
                .noneMatch(id -> id.matches("^(calls|count)-" + run + "\\|.*"));
    }

    private ObjectNode event(String subject, String organization, Instant time, double value) {
        ObjectNode event = TestEvents.event(UUID.randomUUID().toString(), "report-it", "report.calls-" + run, subject, time);
        ((ObjectNode) event.get("data")).put("n", value);
        if (organization != null) {
            event.put("organization", organization);
        }
        return event;
    }

    private void awaitWindows(String meter, Map<String, double[]> expected, int index) {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> expected.forEach((key, value) -> {
            String[] parts = key.split("\\|");
            Document window = seed.db.getCollection(UsageWindowDocument.COLLECTION)
                    .find(Filters.eq("_id", UsageWindowDocument.idOf(meter, parts[0], "", Long.parseLong(parts[1])))).first();
            assertThat(window).as(key).isNotNull();
            assertThat(((Number) window.get("value")).doubleValue()).as(key).isEqualTo(value[index]);
        }));
    }

    private void assertExact(StripeSeed.Metered calls, StripeSeed.Metered count, Map<String, String> customerOf,
            Map<String, double[]> expected) throws Exception {
        Map<String, long[]> perCustomerHour = new HashMap<>();
        expected.forEach((key, value) -> {
            String[] parts = key.split("\\|");
            long[] totals = perCustomerHour.computeIfAbsent(customerOf.get(parts[0]) + "|" + parts[1], k -> new long[2]);
            totals[0] += (long) Math.floor(value[0]);
            totals[1] += (long) value[1];
        });
        for (Map.Entry<String, long[]> e : perCustomerHour.entrySet()) {
            String[] parts = e.getKey().split("\\|");
            Instant hour = Instant.ofEpochSecond(Long.parseLong(parts[1]));
            assertThat(seed.stripeHourTotal(calls, parts[0], hour)).as("calls " + e.getKey()).isEqualTo(e.getValue()[0]);
            assertThat(seed.stripeHourTotal(count, parts[0], hour)).as("count " + e.getKey()).isEqualTo(e.getValue()[1]);
        }
    }

    @Test
    void organizationCustomerPaysForMembersWithoutTheirOwn() throws Exception {
        StripeSeed.Metered metered = seed.metered("org_" + run, Formula.SUM);
        StripeSeed.meter("org-" + run, Aggregation.SUM, metered.eventName(), metered.priceId());
        String org = "acme-" + run;
        String orgCustomer = seed.customer(null, org);
        seed.subscription(orgCustomer, "active", metered);
        String ownCustomer = seed.customer("boss-" + run, org);
        seed.subscription(ownCustomer, "active", metered);
        seed.window("org-" + run, "alice-" + run, org, H1, 7, Aggregation.SUM);
        seed.window("org-" + run, "bob-" + run, org, H1, 5, Aggregation.SUM);
        seed.window("org-" + run, "boss-" + run, org, H1, 100, Aggregation.SUM);

        report();

        assertThat(seed.stripeHourTotal(metered, orgCustomer, H1)).isEqualTo(12);
        assertThat(seed.stripeHourTotal(metered, ownCustomer, H1)).isEqualTo(100);
    }

    @Test
    void everySkipReasonIsCountedAndNothingIsSentForIt() throws Exception {
        StripeSeed.Metered metered = seed.metered("skip_" + run, Formula.SUM);
        StripeSeed.Metered other = seed.metered("other_" + run, Formula.SUM);
        String meter = "skip-" + run;
        StripeSeed.meter(meter, Aggregation.SUM, metered.eventName(), metered.priceId());
        String canceled = seed.customer("canceled-" + run, null);
        seed.subscription(canceled, "canceled", metered);
        String unpaid = seed.customer("unpaid-" + run, null);
        seed.subscription(unpaid, "unpaid", metered);
        String withoutItem = seed.customer("noitem-" + run, null);
        seed.subscription(withoutItem, "active", other);
        String fine = seed.customer("fine-" + run, null);
        seed.subscription(fine, "active", metered);

        seed.window(meter, "free-" + run, null, H1, 3, Aggregation.SUM);
        seed.window(meter, "canceled-" + run, null, H1, 3, Aggregation.SUM);
        seed.window(meter, "unpaid-" + run, null, H1, 3, Aggregation.SUM);
        seed.window(meter, "noitem-" + run, null, H1, 3, Aggregation.SUM);
        seed.window("unmapped-" + run, "fine-" + run, null, H1, 3, Aggregation.SUM);
        seed.window(meter, "fine-" + run, null, Instant.now().minus(Duration.ofDays(35)).minus(Duration.ofHours(3)), 3,
                Aggregation.SUM);
        seed.window(meter, "fine-" + run, null, H1, 4, Aggregation.SUM);
        long eventsBefore = standIn.meterEventCount();

        JsonPath first = report();
        assertThat(first.getLong("skipped.no_stripe_customer")).isGreaterThanOrEqualTo(1);
        assertThat(first.getLong("skipped.subscription_not_active")).isGreaterThanOrEqualTo(1);
        assertThat(first.getLong("skipped.subscription_held")).isGreaterThanOrEqualTo(1);
        assertThat(first.getLong("skipped.no_metered_item")).isGreaterThanOrEqualTo(1);
        assertThat(first.getLong("skipped.meter_not_mapped")).isGreaterThanOrEqualTo(1);
        assertThat(first.getLong("skipped.outside_stripe_window")).isGreaterThanOrEqualTo(1);
        assertThat(first.getLong("total")).isEqualTo(first.getLong("reported") + first.getLong("failed")
                + first.getMap("skipped", String.class, Integer.class).values().stream().mapToLong(Integer::longValue).sum());
        assertThat(standIn.meterEventCount() - eventsBefore).isEqualTo(1);
        assertThat(seed.stripeHourTotal(metered, fine, H1)).isEqualTo(4);
        for (String subject : List.of("free-", "canceled-", "unpaid-", "noitem-")) {
            assertThat(seed.ledger(meter, subject + run, H1)).as(subject).isNull();
        }

        // the reported window is settled: the next run does not read it again, and Stripe keeps 4
        long eventsAfterFirst = standIn.meterEventCount();
        report();
        assertThat(standIn.meterEventCount()).isEqualTo(eventsAfterFirst);
        assertThat(seed.ledger(meter, "fine-" + run, H1).get("reported")).isEqualTo(4L);
        assertThat(WindowChangeRepository.all(seed.db).versions())
                .doesNotContainKey(UsageWindowDocument.idOf(meter, "fine-" + run, "", H1.getEpochSecond()));
        // the skipped ones whose reason can pass are still marked, and read again by every run
        assertThat(WindowChangeRepository.all(seed.db).versions())
                .containsKey(UsageWindowDocument.idOf(meter, "unpaid-" + run, "", H1.getEpochSecond()));
    }

    @Test
    void pastDueUsageIsReportedAndUnpaidUsageIsHeldUntilTheSubscriptionIsPaid() throws Exception {
        String meter = "status-" + run;
        StripeSeed.Metered metered = seed.sumMeter(meter);
        String pastDue = seed.customer("pd-" + run, null);
        seed.subscription(pastDue, "past_due", metered);
        String unpaid = seed.customer("up-" + run, null);
        String unpaidSubscription = seed.subscription(unpaid, "unpaid", metered);
        seed.window(meter, "pd-" + run, null, H1, 5, Aggregation.SUM);
        seed.window(meter, "up-" + run, null, H1, 7, Aggregation.SUM);

        JsonPath first = report();
        assertThat(seed.stripeHourTotal(metered, pastDue, H1)).isEqualTo(5);
        assertThat(seed.stripeHourTotal(metered, unpaid, H1)).isZero();
        assertThat(first.getLong("skipped.subscription_held")).isGreaterThanOrEqualTo(1);
        assertThat(seed.ledger(meter, "up-" + run, H1)).isNull();

        // the customer pays: webhook-service stores the subscription as active again, and the held usage goes out
        seed.db.getCollection(io.meterline.model.billing.BillingCollections.SUBSCRIPTIONS).updateOne(
                Filters.eq("_id", unpaidSubscription), new Document("$set", new Document("status", "active")));
        report();
        assertThat(seed.stripeHourTotal(metered, unpaid, H1)).isEqualTo(7);
    }

    @Test
    void subjectWhoseStripeCustomerWasNeverSyncedIsNotTakenForAFreeTierUser() throws Exception {
        String meter = "sync-" + run;
        seed.sumMeter(meter);
        // Stripe has the customer (metadata names the subject); its customer.created webhook never arrived
        String missed = seed.customer("missed-" + run, null);
        seed.db.getCollection(io.meterline.model.billing.BillingCollections.CUSTOMERS).deleteOne(Filters.eq("_id", missed));
        seed.window(meter, "missed-" + run, null, H1, 3, Aggregation.SUM);
        seed.window(meter, "freebie-" + run, null, H1, 3, Aggregation.SUM);

        JsonPath result = report();
        assertThat(result.getLong("skipped.customer_not_synced")).isGreaterThanOrEqualTo(1);
        assertThat(result.getList("customersNotSynced", String.class)).contains("missed-" + run);
        assertThat(result.getList("customersNotSynced", String.class)).doesNotContain("freebie-" + run);
        assertThat(result.getLong("skipped.no_stripe_customer")).isGreaterThanOrEqualTo(1);
        assertThat(result.getLong("total")).isEqualTo(result.getLong("reported") + result.getLong("failed")
                + result.getMap("skipped", String.class, Integer.class).values().stream().mapToLong(Integer::longValue).sum());
    }

    @Test
    void gaugeReportsTheWindowsLastValueEachTimeItChanges() throws Exception {
        StripeSeed.Metered gauge = seed.metered("gauge_" + run, Formula.LAST);
        String meter = "gauge-" + run;
        StripeSeed.meter(meter, Aggregation.LAST, gauge.eventName(), gauge.priceId());
        String customer = seed.customer("g-" + run, null);
        seed.subscription(customer, "active", gauge);

        for (double value : new double[] {30.9, 12, 30}) {
            seed.window(meter, "g-" + run, null, H2, value, Aggregation.LAST);
            report();
            assertThat(seed.stripeHourTotal(gauge, customer, H2)).isEqualTo((long) Math.floor(value));
        }
        assertThat(seed.ledger(meter, "g-" + run, H2).get("sequence")).isEqualTo(3L);
    }

    @Test
    void deltaWhoseAnswerWasLostIsSentAgainWithTheSameIdentifierAndCountedOnce() throws Exception {
        StripeSeed.Metered metered = seed.metered("lost_" + run, Formula.SUM);
        String meter = "lost-" + run;
        StripeSeed.meter(meter, Aggregation.SUM, metered.eventName(), metered.priceId());
        String customer = seed.customer("l-" + run, null);
        seed.subscription(customer, "active", metered);
        seed.window(meter, "l-" + run, null, H1, 9, Aggregation.SUM);
        String identifier = MeterEventIdentifier.of(customer, "l-" + run, meter, H1.getEpochSecond(), 0, 0);

        // Stripe takes the event every time, but no answer ever arrives: the run ends with the delta pending
        standIn.faults().dropResponse("/v1/billing/meter_events", 1000);
        JsonPath lost = report();
        standIn.faults().clear();
        assertThat(lost.getLong("failed")).isGreaterThanOrEqualTo(1);
        Document pending = seed.ledger(meter, "l-" + run, H1);
        assertThat(pending.get("pending", Document.class).getString("identifier")).isEqualTo(identifier);
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(9);

        // more usage arrives before the rerun; Stripe's idempotency keys have expired by then
        seed.window(meter, "l-" + run, null, H1, 15, Aggregation.SUM);
        standIn.forgetIdempotencyKeys();
        JsonPath rerun = report();
        assertThat(rerun.getLong("pendingResent")).isGreaterThanOrEqualTo(1);
        assertThat(rerun.getLong("duplicates")).isGreaterThanOrEqualTo(1);
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(15);
        assertThat(standIn.meterEvents().stream().filter(e -> e.identifier().equals(identifier)).count()).isEqualTo(1);
        Document settled = seed.ledger(meter, "l-" + run, H1);
        assertThat(settled.get("pending")).isNull();
        assertThat(settled.get("reported")).isEqualTo(15L);
    }

    @Test
    void rateLimitStormsAndServerErrorsEndExactWithoutDuplicates() throws Exception {
        StripeSeed.Metered metered = seed.metered("storm_" + run, Formula.SUM);
        String meter = "storm-" + run;
        StripeSeed.meter(meter, Aggregation.SUM, metered.eventName(), metered.priceId());
        Map<String, String> customers = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            String subject = "st" + i + "-" + run;
            String customer = seed.customer(subject, null);
            seed.subscription(customer, "active", metered);
            customers.put(subject, customer);
            seed.window(meter, subject, null, H1, 10 + i, Aggregation.SUM);
            seed.window(meter, subject, null, H2, 20 + i, Aggregation.SUM);
        }
        long injectedBefore = standIn.faults().injected();
        standIn.faults().rateLimit("/v1/billing/meter_events", 25, 0).serverError("/v1/billing/meter_events", 10)
                .connectionReset("/v1/billing/meter_events", 5);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            report();
            for (int i = 0; i < 6; i++) {
                Document h1 = seed.ledger(meter, "st" + i + "-" + run, H1);
                Document h2 = seed.ledger(meter, "st" + i + "-" + run, H2);
                assertThat(h1).isNotNull();
                assertThat(h2).isNotNull();
                assertThat(h1.get("pending")).isNull();
                assertThat(h2.get("pending")).isNull();
            }
        });
        assertThat(standIn.faults().injected() - injectedBefore).isEqualTo(40);
        for (int k = 0; k < 6; k++) {
            String customer = customers.get("st" + k + "-" + run);
            assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(10 + k);
            assertThat(seed.stripeHourTotal(metered, customer, H2)).isEqualTo(20 + k);
            assertThat(standIn.meterEvents().stream().filter(e -> e.customer().equals(customer)).count()).isEqualTo(2);
        }
    }

    @Test
    void permanentRefusalIsRecordedWithStripesMessageAndNotRetriedForever() throws Exception {
        StripeSeed.Metered metered = seed.metered("refused_" + run, Formula.SUM);
        String meter = "refused-" + run;
        StripeSeed.meter(meter, Aggregation.SUM, metered.eventName(), metered.priceId());
        String customer = seed.customer("r-" + run, null);
        seed.subscription(customer, "active", metered);
        seed.window(meter, "r-" + run, null, H1, 3, Aggregation.SUM);
        standIn.faults().error("/v1/billing/meter_events", 1, 400, "invalid_request_error", "No such customer: '" + customer + "'");

        long callsBefore = standIn.requestCount("POST", "/v1/billing/meter_events");
        JsonPath run1 = report();
        assertThat(run1.getLong("failed")).isGreaterThanOrEqualTo(1);
        assertThat(run1.getList("errors.message", String.class)).contains("No such customer: '" + customer + "'");
        assertThat(run1.getList("errors.status", Integer.class)).contains(400);
        assertThat(standIn.requestCount("POST", "/v1/billing/meter_events") - callsBefore).isEqualTo(1);
        Document entry = seed.ledger(meter, "r-" + run, H1);
        assertThat(entry.get("pending")).isNull();
        assertThat(entry.getString("lastError")).contains("No such customer");

        report();
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(3);
    }

    @Test
    void twoConcurrentTriggersMakeOneRun() throws Exception {
        StripeSeed.Metered metered = seed.metered("lease_" + run, Formula.SUM);
        String meter = "lease-" + run;
        StripeSeed.meter(meter, Aggregation.SUM, metered.eventName(), metered.priceId());
        String customer = seed.customer("ls-" + run, null);
        seed.subscription(customer, "active", metered);
        seed.window(meter, "ls-" + run, null, H1, 2, Aggregation.SUM);
        standIn.faults().slow("/v1/billing/meter_events", 1, Duration.ofSeconds(2));

        String admin = BillingApi.admin();
        CompletableFuture<Response> a = CompletableFuture.supplyAsync(() -> given().auth().oauth2(admin).post("/admin/report-runs"));
        CompletableFuture<Response> b = CompletableFuture.supplyAsync(() -> given().auth().oauth2(admin).post("/admin/report-runs"));
        List<Integer> statuses = List.of(a.get().statusCode(), b.get().statusCode());
        assertThat(statuses).containsExactlyInAnyOrder(201, 409);
        Response refused = a.get().statusCode() == 409 ? a.get() : b.get();
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.jsonPath().getString("code")).isEqualTo("report_run_in_progress");
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(2);
    }

    @Test
    void leaseIsHeldByOneOwnerUntilReleasedOrExpired() {
        String a = "test-a-" + run;
        String b = "test-b-" + run;
        assertThat(lease.acquire(a, Duration.ofSeconds(30))).isTrue();
        assertThat(lease.acquire(b, Duration.ofSeconds(30))).isFalse();
        assertThat(lease.acquire(a, Duration.ofMillis(1))).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> lease.acquire(b, Duration.ofSeconds(30)));
        assertThat(lease.holder()).isEqualTo(b);
        lease.release(b);
        assertThat(lease.holder()).isNull();
    }

    @Test
    void runsAreRecordedListedAndReadable() {
        JsonPath run1 = report();
        String id = run1.getString("id");
        assertThat(run1.getString("started")).isNotNull();
        assertThat(run1.getString("finished")).isNotNull();
        given().auth().oauth2(BillingApi.admin()).get("/admin/report-runs/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("dryRun", equalTo(false));
        List<String> ids = given().auth().oauth2(BillingApi.admin()).get("/admin/report-runs").then().statusCode(200)
                .extract().jsonPath().getList("id", String.class);
        assertThat(ids.get(0)).isEqualTo(id);
        given().auth().oauth2(BillingApi.admin()).get("/admin/report-runs/rr_missing").then().statusCode(404)
                .body("code", equalTo("report_run_not_found"));
    }

    @Test
    void reportRunsNeedTheAdminRole() {
        given().post("/admin/report-runs").then().statusCode(401);
        given().auth().oauth2(BillingApi.token(Set.of("usage:read"), List.of("x"))).post("/admin/report-runs").then()
                .statusCode(403);
    }

    @Test
    void healthSaysReportingIsLive() {
        given().get("/q/health/ready").then().body("checks.find { it.name == 'stripe reporting' }.data.mode", equalTo("live"));
    }
}
