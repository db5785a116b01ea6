package io.meterline.billing;

import com.mongodb.client.model.Filters;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.billing.MeterErrorReportDocument;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.billing.SubscriptionItemDocument;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static io.meterline.billing.StripeSeed.report;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reporting through Stripe's v2 meter event streams ({@code billing.stripe.meter-events=v2}): deltas go 100 (here 2)
 * to a request, are recorded {@code accepted}, and become delivered once past the error window without an error
 * report (here the window is zero: the next run confirms them), or go back to planning when a report names them.
 */
@QuarkusTest
@TestProfile(MeterEventStreamReportingIT.Streams.class)
class MeterEventStreamReportingIT extends StripeReportingFixture {

    public static class Streams implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("billing.stripe.meter-events", "v2",
                    "billing.stripe.meter-event-stream.batch-size", "2",
                    "billing.stripe.meter-event-stream.error-window", "PT0S",
                    "billing.stripe.meter-event-stream.rate-limit", "0");
        }
    }

    static final Instant H1 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(5));
    static final Instant H2 = H1.plus(Duration.ofHours(1));

    @Test
    void windowsReachStripeExactlyOnceAcceptedThenDelivered() throws Exception {
        StripeSeed.Metered metered = seed.sumMeter("v2-" + run);
        String meter = "v2-" + run;
        String c1 = seed.customer("v2a-" + run, null);
        String c2 = seed.customer("v2b-" + run, null);
        seed.subscription(c1, "active", metered);
        seed.subscription(c2, "active", metered);
        seed.window(meter, "v2a-" + run, null, H1, 5, io.meterline.model.usage.Aggregation.SUM);
        seed.window(meter, "v2a-" + run, null, H2, 7, io.meterline.model.usage.Aggregation.SUM);
        seed.window(meter, "v2b-" + run, null, H1, 3, io.meterline.model.usage.Aggregation.SUM);
        long requestsBefore = standIn.requestCount("POST", "/v2/billing/meter_event_stream");

        // a full run reads windows whether marked or not (here: not); what it leaves accepted must be looked at again
        assertThat(seed.db.getCollection(io.meterline.model.usage.WindowChangeDocument.COLLECTION)
                .deleteMany(Filters.regex("marks.window", "^" + meter + "\\|")).getDeletedCount()).isEqualTo(3);
        JsonPath first = given().auth().oauth2(BillingApi.admin()).post("/admin/report-runs?scope=full").then()
                .statusCode(201).extract().jsonPath();
        assertThat(first.getString("scope")).isEqualTo("full");
        assertThat(first.getString("transport")).isEqualTo("v2");
        assertThat(first.getLong("accepted")).isGreaterThanOrEqualTo(3);
        // no ledger write per delta in the sending run: the journal holds the deltas accepted, explain reads it (0143)
        assertThat(seed.ledger(meter, "v2a-" + run, H1)).isNull();
        JsonPath explained = explain(meter, "v2a-" + run, H1);
        List<String> accepted = awaitingValidation(explained);
        assertThat(accepted).hasSize(1);
        assertThat(explained.getLong("ledger.reported")).isEqualTo(5);
        assertThat(standIn.requestCount("POST", "/v1/billing/meter_events")).as("v1 is not used").isZero();
        assertThat(standIn.requestCount("POST", "/v2/billing/meter_event_stream") - requestsBefore)
                .as("two events a request here (100 in production)").isLessThanOrEqualTo(first.getLong("accepted") / 2 + 2);

        JsonPath second = report();
        assertThat(second.getString("scope")).isEqualTo("changed");
        assertThat(second.getLong("confirmed")).isGreaterThanOrEqualTo(3);
        assertThat(second.getLong("reported")).as("nothing is sent again").isZero();
        Document delivered = seed.ledger(meter, "v2a-" + run, H1);
        assertThat(delivered.getList("accepted", Document.class)).isEmpty();
        assertThat(delivered.getList("history", Document.class)).extracting(d -> d.getString("identifier"))
                .containsExactly(accepted.get(0));
        assertThat(seed.stripeHourTotal(metered, c1, H1)).isEqualTo(5);
        assertThat(seed.stripeHourTotal(metered, c1, H2)).isEqualTo(7);
        assertThat(seed.stripeHourTotal(metered, c2, H1)).isEqualTo(3);
        assertThat(standIn.meterEvents()).filteredOn(e -> e.customer().equals(c1)).hasSize(2);
    }

    @Test
    void aSessionTokenThatExpiredWhileHeldIsRenewedAndNothingIsLostOrDoubled() throws Exception {
        StripeSeed.Metered metered = seed.sumMeter("v2s-" + run);
        String meter = "v2s-" + run;
        String customer = seed.customer("v2s-" + run, null);
        seed.subscription(customer, "active", metered);
        for (int h = 0; h < 5; h++) {
            seed.window(meter, "v2s-" + run, null, H1.plus(Duration.ofHours(h)), 10 + h, io.meterline.model.usage.Aggregation.SUM);
        }
        report();
        long sessions = standIn.requestCount("POST", "/v2/billing/meter_event_session");
        // the token billing holds ends before billing meant to renew it
        standIn.expireMeterEventSessions();
        for (int h = 0; h < 5; h++) {
            seed.window(meter, "v2s-" + run, null, H1.plus(Duration.ofHours(h)), 20 + h, io.meterline.model.usage.Aggregation.SUM);
        }

        JsonPath run2 = report();
        assertThat(run2.getLong("failed")).isZero();
        assertThat(standIn.requestCount("POST", "/v2/billing/meter_event_session")).isGreaterThan(sessions);
        report();
        for (int h = 0; h < 5; h++) {
            assertThat(seed.stripeHourTotal(metered, customer, H1.plus(Duration.ofHours(h)))).isEqualTo(20 + h);
        }
        assertThat(standIn.meterEvents()).filteredOn(e -> e.customer().equals(customer)).hasSize(10);
    }

    @Test
    void aLostAnswerDoesNotDoubleCount() throws Exception {
        StripeSeed.Metered metered = seed.sumMeter("v2l-" + run);
        String meter = "v2l-" + run;
        String customer = seed.customer("v2l-" + run, null);
        seed.subscription(customer, "active", metered);
        seed.window(meter, "v2l-" + run, null, H1, 8, io.meterline.model.usage.Aggregation.SUM);
        seed.window(meter, "v2l-" + run, null, H2, 9, io.meterline.model.usage.Aggregation.SUM);
        // every stream request of the run is carried out once, then its answer is lost
        standIn.faults().dropResponse("/v2/billing/meter_event_stream", 1000);
        JsonPath lost = report();
        standIn.faults().clear();
        assertThat(standIn.faults().injected()).isPositive();
        assertThat(lost.getLong("failed")).isPositive();

        // the next run re-sends the pending deltas with their identifiers: Stripe ignores what it has
        JsonPath resent = report();
        assertThat(resent.getLong("pendingResent")).isPositive();
        report();
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(8);
        assertThat(seed.stripeHourTotal(metered, customer, H2)).isEqualTo(9);
        assertThat(standIn.meterEvents()).filteredOn(e -> e.customer().equals(customer)).hasSize(2);
        assertThat(seed.ledger(meter, "v2l-" + run, H1).getLong("reported")).isEqualTo(8);
    }

    @Test
    void anErrorReportSendsTheDeltaBackToPlanningAndItIsDeliveredOnceAfterTheFix() throws Exception {
        StripeSeed.Metered metered = seed.sumMeter("v2e-" + run);
        String meter = "v2e-" + run;
        String subject = "v2e-" + run;
        // Meterline links the subject to a Stripe customer that Stripe does not have
        String gone = "cus_gone" + run;
        CustomerDocument wrong = new CustomerDocument();
        wrong.id = gone;
        wrong.subject = subject;
        seed.db.getCollection(BillingCollections.CUSTOMERS, CustomerDocument.class).insertOne(wrong);
        SubscriptionDocument subscription = new SubscriptionDocument();
        subscription.id = "sub_gone" + run;
        subscription.customerId = gone;
        subscription.status = "active";
        SubscriptionItemDocument item = new SubscriptionItemDocument();
        item.id = "si_gone" + run;
        item.priceId = metered.priceId();
        item.meterId = metered.meterId();
        item.meterEventName = metered.eventName();
        subscription.items.add(item);
        seed.db.getCollection(BillingCollections.SUBSCRIPTIONS, SubscriptionDocument.class).insertOne(subscription);
        seed.window(meter, subject, null, H1, 6, io.meterline.model.usage.Aggregation.SUM);

        try (ErrorReportRelay relay = new ErrorReportRelay(standIn, seed.db)) {
            report();
            String refused = awaitingValidation(explain(meter, subject, H1)).get(0);
            var reports = seed.db.getCollection(BillingCollections.METER_ERROR_REPORTS, MeterErrorReportDocument.class);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> reports.find(Filters.eq("identifiers", refused)).first() != null);

            // the fix: the subject is linked to its real Stripe customer
            seed.db.getCollection(BillingCollections.CUSTOMERS).deleteOne(Filters.eq("_id", gone));
            seed.db.getCollection(BillingCollections.SUBSCRIPTIONS).deleteOne(Filters.eq("_id", subscription.id));
            String customer = seed.customer(subject, null);
            seed.subscription(customer, "active", metered);

            JsonPath replanned = report();
            assertThat(replanned.getLong("refusedLater")).isGreaterThanOrEqualTo(1);
            JsonPath entry = explain(meter, subject, H1);
            String resent = awaitingValidation(entry).get(0);
            assertThat(resent).isNotEqualTo(refused);
            assertThat(entry.getLong("ledger.reported")).isEqualTo(6);

            report();
            assertThat(seed.ledger(meter, subject, H1).getList("accepted", Document.class)).isEmpty();
            assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(6);
            assertThat(standIn.meterEvents()).filteredOn(e -> e.identifier().equals(resent)).hasSize(1);
            assertThat(standIn.meterEvents()).noneMatch(e -> e.identifier().equals(refused));
        }
    }

    /** {@code GET /v1/usage/explain}: the ledger as the journal brings it up to date. */
    private static JsonPath explain(String meter, String subject, Instant hour) {
        return given().auth().oauth2(BillingApi.admin()).queryParam("meter", meter).queryParam("customer", subject)
                .queryParam("hour", hour.toString()).get("/v1/usage/explain").then().statusCode(200).extract().jsonPath();
    }

    /** Identifiers of the deltas the stream accepted and Stripe has not validated yet. */
    private static List<String> awaitingValidation(JsonPath explained) {
        return explained.getList("deltas.findAll { it.outcome == 'awaiting_validation' }.identifier", String.class);
    }
}
