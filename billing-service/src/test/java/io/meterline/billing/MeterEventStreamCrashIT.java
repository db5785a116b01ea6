package io.meterline.billing;

import io.meterline.billing.reporting.StreamRequestJournal;
import io.meterline.devstack.testing.StripeStandInResource;
import io.meterline.model.usage.Aggregation;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.meterline.billing.StripeSeed.report;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The v2 path's writes (decision 0142): a packaged billing instance reporting through the stream halts (as kill -9
 * would) right after journaling a batch's requests, right after the stream answered them, or right after the
 * journal recorded them as accepted (the sending run's last write, decision 0143). A window then grows, and the
 * instance under test takes the lease over: each
 * delta reaches Stripe exactly once (the one in flight under its first identifier and amount, the growth under a new
 * one), and once confirmed no request is left in the journal.
 */
@QuarkusTest
@TestProfile(MeterEventStreamReportingIT.Streams.class)
class MeterEventStreamCrashIT extends StripeReportingFixture {

    static final Instant H1 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(4));
    static final Instant H2 = H1.plus(Duration.ofHours(1));

    private BillingProcess dying;

    @AfterEach
    void stop() {
        if (dying != null) {
            dying.stop();
        }
    }

    @Test
    void aCrashAfterTheRequestsWereJournaledLosesAndDoublesNothing() throws Exception {
        survivesHaltAfter("journal-written");
    }

    @Test
    void aCrashAfterTheStreamAnsweredResendsTheSameIdentifiersAndDoublesNothing() throws Exception {
        survivesHaltAfter("stream-answered");
    }

    @Test
    void aCrashAfterTheJournalRecordedTheAcceptedRequestsLosesAndDoublesNothing() throws Exception {
        survivesHaltAfter("requests-accepted");
    }

    private void survivesHaltAfter(String step) throws Exception {
        // whatever other tests left to send goes now, so the dying run's first batch is this test's windows
        report();
        String meter = "v2c-" + run;
        String subject = "v2c-" + run;
        StripeSeed.Metered metered = seed.sumMeter(meter);
        String customer = seed.customer(subject, null);
        seed.subscription(customer, "active", metered);
        seed.window(meter, subject, null, H1, 5, Aggregation.SUM);
        seed.window(meter, subject, null, H2, 7, Aggregation.SUM);

        Map<String, String> config = BillingProcess.isolatedConfig("v2c-" + run, "v2c-events-" + run, Map.of());
        config.put("quarkus.mongodb.database", seed.db.getName());
        config.put("billing.stripe.api-base", standIn.apiBase());
        config.put("billing.stripe.api-key", StripeStandInResource.API_KEY);
        config.put("billing.stripe.rate-limit", "0");
        config.put("billing.stripe.meter-events", "v2");
        config.put("billing.stripe.meter-event-stream.base", standIn.apiBase());
        config.put("billing.stripe.meter-event-stream.batch-size", "2");
        config.put("billing.stripe.meter-event-stream.error-window", "PT0S");
        config.put("billing.stripe.meter-event-stream.rate-limit", "0");
        config.put("billing.stripe.meter-event-stream.halt-after", step);
        config.put("billing.reporting.cron", "off");
        config.put("billing.reporting.lease", "PT2S");
        config.put("billing.reporting.lease-renewal", "PT0.5S");
        dying = new BillingProcess("v2c-" + step + "-" + run, config);
        dying.start();
        HttpRequest trigger = HttpRequest.newBuilder(URI.create(dying.baseUrl() + "/admin/report-runs"))
                .header("Authorization", "Bearer " + BillingApi.admin()).POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpClient.newHttpClient().sendAsync(trigger, HttpResponse.BodyHandlers.discarding());
        await().atMost(Duration.ofSeconds(60)).until(() -> !dying.alive());
        String h1Id = io.meterline.model.usage.UsageWindowDocument.idOf(meter, subject, "", H1.getEpochSecond());
        assertThat(journaledEntries()).as("the requests were journaled before the halt").contains(h1Id);
        assertThat(seed.ledger(meter, subject, H1)).as("no per-delta ledger write in a v2 sending run").isNull();
        if (step.equals("requests-accepted")) {
            assertThat(acceptedRequests()).as("the journal recorded the accepted request").isPositive();
        } else {
            assertThat(acceptedRequests()).as("no answer recorded before the halt").isZero();
        }

        // the window grows while the instance is down: the growth is a new delta, the one in flight is not re-planned
        seed.window(meter, subject, null, H1, 9, Aggregation.SUM);
        JsonPath takeover = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> given().auth().oauth2(BillingApi.admin()).post("/admin/report-runs"),
                        response -> response.statusCode() == 201).jsonPath();
        assertThat(takeover.getString("status")).isEqualTo("completed");
        assertThat(takeover.getLong("failed")).isZero();

        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(9);
        assertThat(seed.stripeHourTotal(metered, customer, H2)).isEqualTo(7);
        List<StripeStandInView> events = new ArrayList<>();
        standIn.meterEvents().stream().filter(e -> e.customer().equals(customer))
                .forEach(e -> events.add(new StripeStandInView(e.identifier(), e.value())));
        assertThat(events).as("5 and 7 once each, then the growth of 4 under a new identifier")
                .extracting(StripeStandInView::value).containsExactlyInAnyOrder(5L, 7L, 4L);

        // the next run confirms what the stream accepted into the ledger; the journal then holds nothing of these windows
        JsonPath confirming = report();
        assertThat(confirming.getLong("reported")).isZero();
        Document h1 = seed.ledger(meter, subject, H1);
        assertThat(h1.getLong("reported")).isEqualTo(9);
        assertThat(h1.getLong("sequence")).isEqualTo(2);
        assertThat(seed.ledger(meter, subject, H1).getList("accepted", Document.class)).isEmpty();
        assertThat(seed.ledger(meter, subject, H2).getList("accepted", Document.class)).isEmpty();
        assertThat(journaledEntries()).doesNotContain(h1.getString("_id"), seed.ledger(meter, subject, H2).getString("_id"));
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(9);
    }

    /** Journaled requests (of this test's meter) the stream is recorded to have accepted. */
    private long acceptedRequests() {
        long accepted = 0;
        for (Document request : seed.db.getCollection(StreamRequestJournal.COLLECTION).find()) {
            boolean ours = request.getList("deltas", Document.class).stream()
                    .anyMatch(d -> d.getString("meter").equals("v2c-" + run));
            if (ours && seed.db.getCollection(StreamRequestJournal.ANSWERS)
                    .find(Filters.eq("_id", request.getString("_id"))).first() != null) {
                accepted++;
            }
        }
        return accepted;
    }

    private List<String> journaledEntries() {
        List<String> ids = new ArrayList<>();
        for (Document request : seed.db.getCollection(StreamRequestJournal.COLLECTION).find()) {
            request.getList("deltas", Document.class).forEach(d -> ids.add(d.getString("entry")));
        }
        return ids;
    }

    private record StripeStandInView(String identifier, long value) {
    }
}
