package io.meterline.billing;

import com.mongodb.client.MongoClient;
import io.meterline.billing.ops.OpsSession;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.model.usage.Aggregation;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** The ops console's HTML through the real HTTP path: sign-in, cookie, console, run and customer pages, CSRF. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
@QuarkusTestResource(ReportingTestResource.class)
class OpsConsoleIT {

    @Inject
    MongoClient mongo;

    final String run = UUID.randomUUID().toString().substring(0, 8);

    static String signIn(String token) {
        return given().redirects().follow(false).formParam("token", token).post("/ops/login").then().statusCode(303)
                .extract().cookie(OpsSession.COOKIE);
    }

    @Test
    void withoutASessionTheConsoleShowsTheSignInForm() {
        String html = given().get("/ops").then().statusCode(200).contentType("text/html").extract().asString();
        assertThat(html).contains("Meterline ops — sign in").contains("action=\"/ops/login\"").contains("name=\"token\"")
                .doesNotContain("Pipeline health");
    }

    @Test
    void signingInSetsAnHttpOnlyStrictCookieAndNeverPutsTheTokenInAUrl() {
        String admin = BillingApi.admin();
        Response answer = given().redirects().follow(false).formParam("token", admin).post("/ops/login");
        assertThat(answer.statusCode()).isEqualTo(303);
        assertThat(answer.header("Location")).endsWith("/ops").doesNotContain(admin);
        String setCookie = answer.header("Set-Cookie");
        assertThat(setCookie).startsWith(OpsSession.COOKIE + "=").contains("HttpOnly").containsIgnoringCase("SameSite=Strict")
                .contains("Path=/ops");
        String html = given().cookie(OpsSession.COOKIE, answer.cookie(OpsSession.COOKIE)).get("/ops").then().statusCode(200)
                .extract().asString();
        assertThat(html).contains("Pipeline health").doesNotContain(admin);
    }

    @Test
    void aTokenWithoutTheAdminRoleOrAForgedOneIsRefused() {
        String reader = BillingApi.token(Set.of("usage:read"), List.of());
        assertThat(given().formParam("token", reader).post("/ops/login").then().statusCode(401).extract().asString())
                .contains("lacks the admin role");
        given().formParam("token", "not.a.jwt").post("/ops/login").then().statusCode(401);
        assertThat(given().cookie(OpsSession.COOKIE, reader).get("/ops").then().statusCode(200).extract().asString())
                .contains("sign in").doesNotContain("Pipeline health");
    }

    @Test
    void theConsoleShowsHealthDryRunRunsAndTheCustomerChart() {
        StripeSeed seed = new StripeSeed(mongo);
        String meter = "ops-" + run;
        String subject = "ops-customer-" + run;
        StripeSeed.meter(meter, Aggregation.SUM, "ops_" + run, null);
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
        seed.window(meter, subject, null, hour, 17, Aggregation.SUM);
        String runId = StripeSeed.report().getString("id");

        String cookie = signIn(BillingApi.admin());
        String html = given().cookie(OpsSession.COOKIE, cookie).get("/ops").then().statusCode(200).extract().asString();
        assertThat(html).contains("Pipeline health").contains("billing-service").contains("ready")
                .contains("id=\"dry-run\"").contains("dry-run")
                .contains("href=\"/ops/runs/" + runId + "\"")
                .contains("DLQ by reason").contains("Consumer lag and rates")
                .contains("webhook-service is not configured");
        assertThat(html).doesNotContain("<script");

        String runPage = given().cookie(OpsSession.COOKIE, cookie).get("/ops/runs/" + runId).then().statusCode(200)
                .extract().asString();
        assertThat(runPage).contains("Report run " + runId).contains("dry-run (nothing sent)").contains("Skipped by reason");

        String customer = given().redirects().follow(true).cookie(OpsSession.COOKIE, cookie).queryParam("subject", subject)
                .get("/ops/customers").then().statusCode(200).extract().asString();
        assertThat(customer).contains("Customer " + subject).contains("<svg").contains("class=\"counted\"")
                .contains("Meterline counted <strong>17</strong>").contains(meter);
    }

    @Test
    void theConsoleShowsTheVersionOfEachServiceFromItsReadiness() {
        String version = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.application.version", String.class);
        given().get("/q/health/ready").then().body("checks.find { it.name == 'version' }.data.version",
                org.hamcrest.Matchers.equalTo(version));
        String html = given().cookie(OpsSession.COOKIE, signIn(BillingApi.admin())).get("/ops").then().statusCode(200)
                .extract().asString();
        assertThat(html).contains("<tr id=\"service-billing-service\"><td>billing-service</td><td class=\"version\">"
                + version + "</td>");
        // the others are not configured here: their version is unknown, not made up (OperationsIT reads all three)
        assertThat(html).contains("<tr id=\"service-ingest-service\"><td>ingest-service</td><td class=\"version\">unknown</td>");
    }

    @Test
    void theCustomerViewLinksEachHourToItsExplanationAndReconciliationRunsOpenFromTheConsole() {
        StripeSeed seed = new StripeSeed(mongo);
        String meter = "explain-" + run;
        String subject = "acme & co " + run;
        StripeSeed.meter(meter, Aggregation.SUM, "explain_" + run, null);
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
        seed.window(meter, subject, null, hour, 23, Aggregation.SUM);
        String cookie = signIn(BillingApi.admin());

        String customer = given().cookie(OpsSession.COOKIE, cookie).urlEncodingEnabled(false)
                .get("/ops/customers/" + subject.replace(" ", "%20").replace("&", "%26")).then().statusCode(200).extract().asString();
        String href = "/ops/explain?meter=" + meter + "&amp;customer=acme%20%26%20co%20" + run + "&amp;hour="
                + hour.toString().replace(":", "%3A");
        assertThat(customer).contains("href=\"" + href + "\"").contains("not reconciled");

        String explain = given().cookie(OpsSession.COOKIE, cookie).urlEncodingEnabled(false).get(href.replace("&amp;", "&"))
                .then().statusCode(200).extract().asString();
        assertThat(explain).contains("What Meterline counted").contains(subject.replace("&", "&amp;")).contains("23")
                .contains("Not reconciled yet").doesNotContain("<script");
        given().cookie(OpsSession.COOKIE, cookie).queryParam("meter", meter).queryParam("customer", subject)
                .queryParam("hour", "yesterday").get("/ops/explain").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", org.hamcrest.Matchers.equalTo("hour"));

        String reconciliation = given().auth().oauth2(BillingApi.admin()).contentType("application/json")
                .body("{\"dryRun\":true}").post("/admin/reconciliations").then().statusCode(201).extract().path("id");
        String console = given().cookie(OpsSession.COOKIE, cookie).get("/ops").then().statusCode(200).extract().asString();
        assertThat(console).contains("Last reconciliation runs").contains("href=\"/ops/reconciliations/" + reconciliation + "\"");
        assertThat(given().cookie(OpsSession.COOKIE, cookie).get("/ops/reconciliations/" + reconciliation).then()
                .statusCode(200).extract().asString()).contains("Reconciliation run " + reconciliation).contains("Windows that differ");
        given().cookie(OpsSession.COOKIE, cookie).get("/ops/reconciliations/rec_missing").then().statusCode(404);
    }

    @Test
    void aReplayWithoutTheSessionsCsrfTokenIsRefused() {
        String admin = BillingApi.admin();
        String cookie = signIn(admin);
        given().cookie(OpsSession.COOKIE, cookie).formParam("csrf", "forged").post("/ops/webhook-events/evt_1/replay")
                .then().statusCode(403);
        given().cookie(OpsSession.COOKIE, cookie).post("/ops/webhook-events/evt_1/replay").then().statusCode(403);
        // without a session nothing happens either: back to sign-in
        given().redirects().follow(false).formParam("csrf", OpsSession.csrf(admin)).post("/ops/webhook-events/evt_1/replay")
                .then().statusCode(303);
    }

    @Test
    void pagesBehindTheSessionRedirectToSignIn() {
        given().redirects().follow(false).get("/ops/runs/rr_x").then().statusCode(303);
        given().redirects().follow(false).get("/ops/customers/acme").then().statusCode(303);
        given().redirects().follow(false).get("/ops/reconciliations/rec_x").then().statusCode(303);
        given().redirects().follow(false).get("/ops/explain?meter=m&customer=c&hour=2026-01-01T00:00:00Z").then().statusCode(303);
    }
}
