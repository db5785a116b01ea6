package io.meterline.billing;

import com.stripe.param.billing.MeterCreateParams.DefaultAggregation.Formula;
import io.meterline.model.usage.Aggregation;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static io.meterline.billing.StripeSeed.report;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Meters checked against their Stripe billing meters: refused at declaration, flagged and skipped later, explained. */
@QuarkusTest
class StripeMeterCheckIT extends StripeReportingFixture {

    static final Instant H1 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));

    @Test
    void countMeterMappedToAStripeCountMeterIsRefusedAtDeclarationWithTheFix() throws Exception {
        StripeSeed.Metered count = seed.metered("cnt_" + run, Formula.COUNT);
        String key = "cnt-" + run;
        given().auth().oauth2(BillingApi.admin()).contentType("application/json")
                .body(Map.of("eventType", "ai.suggestion", "aggregation", "COUNT", "stripeEventName", count.eventName()))
                .put("/v1/meters/" + key).then().statusCode(409)
                .contentType(containsString("application/problem+json"))
                .body("code", equalTo("stripe_meter_mismatch"))
                .body("errors[0].field", equalTo("aggregation"))
                .body("errors[0].reason", equalTo("stripe_formula_mismatch"))
                .body("detail", containsString(count.meterId()))
                .body("detail", containsString("formula count"))
                .body("detail", containsString("number of meter events"))
                .body("detail", containsString("Fix:"));
        given().auth().oauth2(BillingApi.admin()).get("/v1/meters/" + key).then().statusCode(404);
    }

    @Test
    void meterWhoseStripeMeterWasDeactivatedIsSkippedShownAndReportedOnceFixed() throws Exception {
        StripeSeed.Metered metered = seed.metered("deact_" + run, Formula.SUM);
        String key = "deact-" + run;
        StripeSeed.meter(key, Aggregation.SUM, metered.eventName(), metered.priceId());
        given().auth().oauth2(BillingApi.admin()).get("/v1/meters/" + key).then().statusCode(200)
                .body("stripeCheck.status", equalTo("ok")).body("stripeCheck.stripeMeterId", equalTo(metered.meterId()));
        String customer = seed.customer("d-" + run, null);
        seed.subscription(customer, "active", metered);
        seed.window(key, "d-" + run, null, H1, 8, Aggregation.SUM);
        seed.stripe.v1().billing().meters().deactivate(metered.meterId());

        long eventsBefore = standIn.meterEvents().stream().filter(e -> e.eventName().equals(metered.eventName())).count();
        JsonPath skipped = report();
        assertThat(skipped.getLong("skipped.stripe_meter_mismatch")).isGreaterThanOrEqualTo(1);
        assertThat(standIn.meterEvents().stream().filter(e -> e.eventName().equals(metered.eventName())).count())
                .isEqualTo(eventsBefore);
        assertThat(seed.ledger(key, "d-" + run, H1)).isNull();
        given().auth().oauth2(BillingApi.admin()).get("/v1/meters").then().statusCode(200)
                .body("find { it.key == '" + key + "' }.stripeCheck.status", equalTo("mismatch"))
                .body("find { it.key == '" + key + "' }.stripeCheck.problems[0].reason", equalTo("stripe_meter_inactive"))
                .body("find { it.key == '" + key + "' }.stripeCheck.fix", containsString("reactivate"));
        // a degraded meter leaves the service ready; Kafka Streams joins its group asynchronously after the
        // application (re)starts for this test class, so wait for that part of readiness first
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'stripe meters' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'stripe meters' }.data.status", equalTo("DEGRADED"))
                .body("checks.find { it.name == 'stripe meters' }.data.'meter." + key + "'", containsString("reactivate")));

        seed.stripe.v1().billing().meters().reactivate(metered.meterId());
        report();
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(8);
        given().auth().oauth2(BillingApi.admin()).get("/v1/meters/" + key).then().body("stripeCheck.status", equalTo("ok"));
    }

    @Test
    void meterWithoutAStripeMeterYetIsSavedFlaggedAndNotReported() {
        String key = "nomtr-" + run;
        given().auth().oauth2(BillingApi.admin()).contentType("application/json")
                .body(Map.of("eventType", "x.y", "aggregation", "SUM", "valuePath", "n", "stripeEventName", "nothing_" + run))
                .put("/v1/meters/" + key).then().statusCode(200)
                .body("stripeCheck.status", equalTo("mismatch"))
                .body("stripeCheck.problems[0].reason", equalTo("stripe_meter_missing"))
                .body("stripeCheck.fix", containsString("create a Stripe billing meter with event_name nothing_" + run));
        seed.window(key, "nm-" + run, null, H1, 2, Aggregation.SUM);
        assertThat(report().getLong("skipped.stripe_meter_mismatch")).isGreaterThanOrEqualTo(1);
    }
}
