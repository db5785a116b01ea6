package io.meterline.billing;

import io.meterline.billing.lease.LeaseRepository;
import io.meterline.billing.reporting.ReportLeaseRepository;
import io.meterline.billing.reporting.ReportRunRepository;
import io.meterline.model.usage.Aggregation;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * The reporting lease with a short length (2 s, renewed every 0.5 s in tests): a live run keeps it past its
 * length, a run whose instance died is aborted as {@code owner_lost}, and an admin can break a dead holder's lease.
 */
@QuarkusTest
class ReportLeaseIT extends StripeReportingFixture {

    static final Instant H1 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));

    @Inject
    ReportLeaseRepository lease;

    @Test
    void liveRunRenewsItsLeasePastItsLengthAndOthersAreToldWhenItLastRenewed() throws Exception {
        String meter = "renew-" + run;
        StripeSeed.Metered metered = seed.sumMeter(meter);
        String customer = seed.customer("rn-" + run, null);
        seed.subscription(customer, "active", metered);
        seed.window(meter, "rn-" + run, null, H1, 6, Aggregation.SUM);
        // one Stripe call takes longer than the lease: only renewal keeps the run's lease
        standIn.faults().slow("/v1/billing/meter_events", 1, Duration.ofSeconds(5));

        String admin = BillingApi.admin();
        CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> given().auth().oauth2(admin).post("/admin/report-runs"));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            LeaseRepository.Lease held = lease.current();
            return held != null && held.acquiredAt() != null && held.renewedAt() != null
                    && held.renewedAt().isAfter(held.acquiredAt().plus(Duration.ofSeconds(3)));
        });
        String holder = lease.holder();
        given().auth().oauth2(admin).post("/admin/report-runs").then().statusCode(409)
                .contentType(containsString("application/problem+json"))
                .body("code", equalTo("report_run_in_progress"))
                .body("detail", containsString(holder)).body("detail", containsString("last renewed"));

        Response done = first.get();
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(done.jsonPath().getString("status")).isEqualTo("completed");
        assertThat(done.jsonPath().getString("owner")).isEqualTo(holder);
        assertThat(seed.stripeHourTotal(metered, customer, H1)).isEqualTo(6);
    }

    @Test
    void runLeftRunningByAnInstanceThatIsGoneEndsAbortedAsOwnerLost() {
        String id = "rr_ghost" + run;
        seed.db.getCollection(ReportRunRepository.COLLECTION).insertOne(new Document("_id", id).append("trigger", "schedule")
                .append("status", "running").append("owner", "deadbeef/" + id)
                .append("started", Date.from(Instant.now().minus(Duration.ofMinutes(5)))).append("finished", null));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().auth().oauth2(BillingApi.admin()).get("/admin/report-runs/" + id).then().statusCode(200)
                        .body("status", equalTo("aborted")).body("abortReason", equalTo("owner_lost"))
                        .body("finished", org.hamcrest.Matchers.notNullValue()));
    }

    @Test
    void adminBreaksTheLeaseOfADeadHolderAndTheBreakIsInTheRunHistory() {
        String id = "rr_stuck" + run;
        String holder = "cafebabe/" + id;
        seed.db.getCollection(ReportRunRepository.COLLECTION).insertOne(new Document("_id", id).append("trigger", "schedule")
                .append("status", "running").append("owner", holder).append("started", new Date()).append("finished", null));
        // a holder that froze with a long lease still held
        assertThat(lease.acquire(holder, Duration.ofHours(1))).isTrue();
        String admin = BillingApi.admin();
        given().auth().oauth2(admin).post("/admin/report-runs").then().statusCode(409).body("detail", containsString(holder));
        given().auth().oauth2(admin).get("/admin/report-lease").then().statusCode(200).body("owner", equalTo(holder));

        given().auth().oauth2(admin).delete("/admin/report-lease").then().statusCode(400)
                .contentType(containsString("application/problem+json"))
                .body("code", equalTo("invalid_parameter")).body("errors[0].field", equalTo("holder"));
        given().auth().oauth2(admin).queryParam("holder", "someone/else").delete("/admin/report-lease").then().statusCode(409)
                .body("code", equalTo("report_lease_not_held")).body("detail", containsString(holder));
        given().queryParam("holder", holder).delete("/admin/report-lease").then().statusCode(401);

        JsonPath audit = given().auth().oauth2(admin).queryParam("holder", holder).delete("/admin/report-lease").then()
                .statusCode(200).extract().jsonPath();
        assertThat(audit.getString("status")).isEqualTo("lease_broken");
        assertThat(audit.getString("owner")).isEqualTo(holder);
        assertThat(audit.getString("brokenBy")).isNotBlank();

        given().auth().oauth2(admin).get("/admin/report-runs/" + id).then().statusCode(200)
                .body("status", equalTo("aborted")).body("abortReason", equalTo("lease_broken"));
        assertThat(given().auth().oauth2(admin).get("/admin/report-runs").then().statusCode(200).extract().jsonPath()
                .getList("id", String.class)).contains(audit.getString("id"));
        given().auth().oauth2(admin).post("/admin/report-runs").then().statusCode(201).body("status", equalTo("completed"));
    }
}
