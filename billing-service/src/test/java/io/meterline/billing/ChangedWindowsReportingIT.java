package io.meterline.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.model.Filters;
import com.stripe.param.billing.MeterCreateParams.DefaultAggregation.Formula;
import io.meterline.billing.usage.WindowChangeRepository;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.Topics;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.UsageWindowDocument;
import io.meterline.model.usage.WindowChangeDocument;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static io.meterline.billing.StripeSeed.report;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * A reporting run costs what changed: it reads the windows marked as changed since a run last settled them, and
 * every mark is removed only once its window is settled at that version or later.
 */
@QuarkusTest
class ChangedWindowsReportingIT extends StripeReportingFixture {

    static final Instant H1 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(4));
    static final Instant H2 = H1.plus(Duration.ofHours(1));

    @BeforeEach
    void fullRunFirst() {
        // a full run first, so the marks are complete whichever test class ran before
        given().auth().oauth2(BillingApi.admin()).post("/admin/report-runs?scope=full").then().statusCode(201)
                .body("scope", equalTo("full"));
    }

    @Test
    void aRunReadsOnlyTheWindowsThatChangedSinceTheLastRun() throws Exception {
        StripeSeed.Metered metered = seed.metered("chg_" + run, Formula.SUM);
        String meter = "chg-" + run;
        StripeSeed.meter(meter, Aggregation.SUM, metered.eventName(), metered.priceId());
        String customer = seed.customer("c-" + run, null);
        seed.subscription(customer, "active", metered);
        seed.window(meter, "c-" + run, null, H1, 5, Aggregation.SUM);
        seed.window(meter, "c-" + run, null, H2, 7, Aggregation.SUM);
        assertThat(mark(meter, "c-" + run, H1)).isNotNull();

        JsonPath first = report();
        assertThat(first.getString("scope")).isEqualTo("changed");
        assertThat(first.getLong("reported")).isGreaterThanOrEqualTo(2);
        assertThat(mark(meter, "c-" + run, H1)).as("settled windows are no longer marked").isNull();
        assertThat(mark(meter, "c-" + run, H2)).isNull();

        // nothing of ours changed: the next run examines only what is marked, and ours are not
        JsonPath idle = report();
        assertThat(idle.getLong("total")).isLessThanOrEqualTo(idle.getLong("changedWindows"));
        assertThat(idle.getLong("reported")).isZero();

        // one window grows: that window alone is read again and its delta reaches Stripe
        seed.window(meter, "c-" + run, null, H2, 10, Aggregation.SUM);
        JsonPath grown = report();
        assertThat(grown.getLong("changedWindows")).isGreaterThanOrEqualTo(1);
        assertThat(grown.getLong("reported")).isGreaterThanOrEqualTo(1);
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(5);
        assertThat(seed.stripeHourTotal(metered, customer, H2)).isEqualTo(10);
        assertThat(mark(meter, "c-" + run, H2)).isNull();
    }

    @Test
    void aWindowWrittenByAggregationIsMarkedAtItsVersion() throws Exception {
        String meter = "pipe-" + run;
        StripeSeed.meter(meter, Aggregation.SUM, "pipe_" + run, null);
        try (TestEvents events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), Topics.USAGE_EVENTS)) {
            ObjectNode event = TestEvents.event(UUID.randomUUID().toString(), "mark-test", "report." + meter, "p-" + run,
                    H1.plusSeconds(60));
            ((ObjectNode) event.get("data")).put("n", 3);
            events.send(event);
            events.flush();
        }
        String id = UsageWindowDocument.idOf(meter, "p-" + run, "", H1.getEpochSecond());
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(window(id)).isNotNull());
        Long mark = mark(meter, "p-" + run, H1);
        assertThat(mark).as("aggregation marks the window it writes").isNotNull();
        assertThat(mark).isEqualTo(window(id).getLong("version"));
    }

    @Test
    void aMarkAheadOfItsWindowStaysUntilTheWindowReachesIt() throws Exception {
        StripeSeed.Metered metered = seed.metered("ahead_" + run, Formula.SUM);
        String meter = "ahead-" + run;
        StripeSeed.meter(meter, Aggregation.SUM, metered.eventName(), metered.priceId());
        String customer = seed.customer("a-" + run, null);
        seed.subscription(customer, "active", metered);
        seed.window(meter, "a-" + run, null, H1, 4, Aggregation.SUM);
        // a writer marked a newer version and has not written the window yet (in flight, or crashed in between)
        String id = UsageWindowDocument.idOf(meter, "a-" + run, "", H1.getEpochSecond());
        long ahead = System.nanoTime() + 1;
        WindowChangeRepository.mark(seed.db, List.of(new WindowChangeRepository.Mark(id, ahead)));

        report();
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(4);
        assertThat(mark(meter, "a-" + run, H1)).as("kept for the version still to come").isEqualTo(ahead);

        seed.window(meter, "a-" + run, null, H1, 6, Aggregation.SUM);
        report();
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(6);
        assertThat(mark(meter, "a-" + run, H1)).isNull();
    }

    @Test
    void aWindowSkippedForAReasonThatCanPassStaysMarkedUntilItIsReported() throws Exception {
        StripeSeed.Metered metered = seed.metered("later_" + run, Formula.SUM);
        String meter = "later-" + run;
        StripeSeed.meter(meter, Aggregation.SUM, metered.eventName(), metered.priceId());
        seed.window(meter, "l-" + run, null, H1, 9, Aggregation.SUM);

        JsonPath noCustomer = report();
        assertThat(noCustomer.getLong("skipped.no_stripe_customer")).isGreaterThanOrEqualTo(1);
        assertThat(mark(meter, "l-" + run, H1)).as("a customer may appear later without the window changing").isNotNull();

        String customer = seed.customer("l-" + run, null);
        seed.subscription(customer, "active", metered);
        report();
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(9);
        assertThat(mark(meter, "l-" + run, H1)).isNull();
    }

    @Test
    void aMarkDocumentSettledInPartKeepsTheMarksOfTheOtherWindows() throws Exception {
        StripeSeed.Metered metered = seed.metered("part_" + run, Formula.SUM);
        String meter = "part-" + run;
        StripeSeed.meter(meter, Aggregation.SUM, metered.eventName(), metered.priceId());
        String customer = seed.customer("known-" + run, null);
        seed.subscription(customer, "active", metered);
        seed.window(meter, "known-" + run, null, H1, 3, Aggregation.SUM);
        seed.window(meter, "unknown-" + run, null, H1, 8, Aggregation.SUM);
        // one writer's document marks both windows (as aggregation's writer marks every window of a write)
        String known = UsageWindowDocument.idOf(meter, "known-" + run, "", H1.getEpochSecond());
        String unknown = UsageWindowDocument.idOf(meter, "unknown-" + run, "", H1.getEpochSecond());
        long knownVersion = window(known).getLong("version");
        long unknownVersion = window(unknown).getLong("version");
        WindowChangeRepository.mark(seed.db, List.of(new WindowChangeRepository.Mark(known, knownVersion),
                new WindowChangeRepository.Mark(unknown, unknownVersion)));

        report();
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(3);
        assertThat(mark(meter, "known-" + run, H1)).as("settled").isNull();
        assertThat(mark(meter, "unknown-" + run, H1)).as("no Stripe customer yet: still marked")
                .isEqualTo(unknownVersion);

        String later = seed.customer("unknown-" + run, null);
        seed.subscription(later, "active", metered);
        report();
        assertThat(seed.stripeHourTotal(metered, later, H1)).isEqualTo(8);
        assertThat(mark(meter, "unknown-" + run, H1)).isNull();
    }

    @Test
    void aMarkOfTheEarlierOneDocumentPerWindowShapeIsReadAndSettled() throws Exception {
        StripeSeed.Metered metered = seed.metered("old_" + run, Formula.SUM);
        String meter = "old-" + run;
        StripeSeed.meter(meter, Aggregation.SUM, metered.eventName(), metered.priceId());
        String customer = seed.customer("o-" + run, null);
        seed.subscription(customer, "active", metered);
        seed.window(meter, "o-" + run, null, H1, 6, Aggregation.SUM);
        String id = UsageWindowDocument.idOf(meter, "o-" + run, "", H1.getEpochSecond());
        report();
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(6);

        // the window grows, marked as a version before this one marked it: {_id: <window id>, version}
        seed.window(meter, "o-" + run, null, H1, 9, Aggregation.SUM);
        seed.db.getCollection(WindowChangeDocument.COLLECTION).deleteMany(Filters.eq("marks.window", id));
        long version = window(id).getLong("version");
        seed.db.getCollection(WindowChangeDocument.COLLECTION).insertOne(new Document("_id", id).append("version", version));
        assertThat(mark(meter, "o-" + run, H1)).isEqualTo(version);

        report();
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(9);
        assertThat(mark(meter, "o-" + run, H1)).isNull();
    }

    @Test
    void aFullRunReadsEveryWindowAndAnUnknownScopeIsRefused() {
        seed.window("full-" + run, "f-" + run, null, H1, 1, Aggregation.SUM);
        var windows = seed.db.getCollection(UsageWindowDocument.COLLECTION);
        long recent = windows.countDocuments(Filters.and(Filters.eq("groupKey", ""),
                Filters.gte("windowStart", java.util.Date.from(Instant.now().minus(Duration.ofDays(30))))));
        JsonPath full = given().auth().oauth2(BillingApi.admin()).post("/admin/report-runs?scope=full").then()
                .statusCode(201).extract().jsonPath();
        assertThat(full.getString("scope")).isEqualTo("full");
        // every window of the last 36 days is read, marked or not (some tests keep older windows: not read)
        assertThat(full.getLong("total")).isGreaterThanOrEqualTo(recent)
                .isLessThanOrEqualTo(windows.countDocuments(Filters.eq("groupKey", "")));
        given().auth().oauth2(BillingApi.admin()).post("/admin/report-runs?scope=everything").then().statusCode(400)
                .contentType(containsString("application/problem+json"))
                .body("errors[0].field", equalTo("scope"));
    }

    /** The window's highest marked version, or null when it is not marked. */
    private Long mark(String meter, String subject, Instant hour) {
        return WindowChangeRepository.all(seed.db).versions()
                .get(UsageWindowDocument.idOf(meter, subject, "", hour.getEpochSecond()));
    }

    private Document window(String id) {
        return seed.db.getCollection(UsageWindowDocument.COLLECTION).find(Filters.eq("_id", id)).first();
    }
}
