package io.meterline.billing;

import io.meterline.billing.reporting.ReportLeaseRepository;
import io.meterline.devstack.testing.StripeStandInResource;
import io.meterline.model.usage.Aggregation;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * A packaged billing instance is killed (-9) in the middle of a report run; the instance under test takes the
 * lease over within seconds, ends the dead run as {@code aborted}/{@code owner_lost}, and Stripe's totals stay exact.
 */
@QuarkusTest
class ReportLeaseCrashIT extends StripeReportingFixture {

    static final Instant H1 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));

    @Inject
    ReportLeaseRepository lease;

    private BillingProcess other;

    @AfterEach
    void stop() {
        if (other != null) {
            other.stop();
        }
    }

    @Test
    void runOfAKilledInstanceEndsAbortedOwnerLostWhenAnotherTakesTheLeaseOver() throws Exception {
        StripeSeed seed = new StripeSeed(mongo);
        String meter = "crash-" + run;
        StripeSeed.Metered metered = seed.sumMeter(meter);
        String customer = seed.customer("cr-" + run, null);
        seed.subscription(customer, "active", metered);
        seed.window(meter, "cr-" + run, null, H1, 11, Aggregation.SUM);

        // a second instance on the same database and Stripe; its own topics so its pipeline stays out of the way
        Map<String, String> config = BillingProcess.isolatedConfig("lease-" + run, "lease-events-" + run, Map.of());
        config.put("quarkus.mongodb.database", seed.db.getName());
        config.put("billing.stripe.api-base", standIn.apiBase());
        config.put("billing.stripe.api-key", StripeStandInResource.API_KEY);
        config.put("billing.stripe.rate-limit", "0");
        config.put("billing.reporting.cron", "off");
        config.put("billing.reporting.lease", "PT2S");
        config.put("billing.reporting.lease-renewal", "PT0.5S");
        other = new BillingProcess("lease-" + run, config);
        other.start();

        // its run hangs in a Stripe call, renewing its lease, until it is killed
        standIn.faults().slow("/v1/billing/meter_events", 1, Duration.ofSeconds(20));
        HttpRequest trigger = HttpRequest.newBuilder(URI.create(other.baseUrl() + "/admin/report-runs"))
                .header("Authorization", "Bearer " + BillingApi.admin()).POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpClient.newHttpClient().sendAsync(trigger, HttpResponse.BodyHandlers.discarding());
        await().atMost(Duration.ofSeconds(30)).until(() -> lease.holder() != null
                && standIn.faults().pending() == 0);
        String deadOwner = lease.holder();
        String deadRun = deadOwner.substring(deadOwner.indexOf('/') + 1);
        given().auth().oauth2(BillingApi.admin()).post("/admin/report-runs").then().statusCode(409)
                .body("detail", containsString(deadOwner)).body("detail", containsString("last renewed"));

        other.kill();

        Response takeover = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> given().auth().oauth2(BillingApi.admin()).post("/admin/report-runs"),
                        response -> response.statusCode() == 201);
        assertThat(takeover.jsonPath().getString("status")).isEqualTo("completed");
        given().auth().oauth2(BillingApi.admin()).get("/admin/report-runs/" + deadRun).then().statusCode(200)
                .body("status", equalTo("aborted")).body("abortReason", equalTo("owner_lost"))
                .body("owner", equalTo(deadOwner));
        // the delta the dead run had in flight was sent again with its identifier: counted once
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(11);
    }
}
