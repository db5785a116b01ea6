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
    }
}
