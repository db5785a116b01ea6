package io.meterline.billing;

import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.model.logs.LogFields;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Log context through the real HTTP path: the request id a caller sends (or one made up) is echoed and is on the
 * request's log records, also after the hop to a worker thread; every record of a run carries the run's id.
 * Records are captured by a handler on the root logger, with the MDC copied as the JSON formatter sees it.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
@QuarkusTestResource(ReportingTestResource.class)
class LogContextIT {

    static final List<ExtLogRecord> RECORDS = new CopyOnWriteArrayList<>();
    static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            ExtLogRecord ext = (ExtLogRecord) record;
            ext.copyAll();
            RECORDS.add(ext);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void capture() {
        Logger.getLogger("").addHandler(CAPTURE);
    }

    @AfterAll
    static void release() {
        Logger.getLogger("").removeHandler(CAPTURE);
    }

    static List<ExtLogRecord> containing(String text) {
        return RECORDS.stream().filter(r -> r.getFormattedMessage() != null && r.getFormattedMessage().contains(text)).toList();
    }

    @Test
    void theCallersRequestIdIsEchoedAndOnTheRequestsLogLines() {
        String id = "it-" + UUID.randomUUID();
        given().header(LogFields.REQUEST_ID_HEADER, id).formParam("token", "not.a.jwt." + id).post("/ops/login")
                .then().statusCode(401).header(LogFields.REQUEST_ID_HEADER, id);
        assertThat(RECORDS).filteredOn(r -> id.equals(r.getMdc(LogFields.REQUEST_ID))).isNotEmpty()
                .allSatisfy(r -> assertThat(r.getFormattedMessage()).contains("sign-in refused"));
    }

    @Test
    void aRequestWithoutAnIdOrWithAForgedOneGetsAFreshIdAndNothingLeaksFromTheRequestBefore() {
        String first = "it-" + UUID.randomUUID();
        given().header(LogFields.REQUEST_ID_HEADER, first).formParam("token", "x").post("/ops/login").then().statusCode(401);
        int before = RECORDS.size();
        String fresh = given().formParam("token", "y").post("/ops/login").then().statusCode(401).extract()
                .header(LogFields.REQUEST_ID_HEADER);
        String forged = given().header(LogFields.REQUEST_ID_HEADER, "a b\"c").formParam("token", "z").post("/ops/login")
                .then().statusCode(401).extract().header(LogFields.REQUEST_ID_HEADER);
        assertThat(fresh).isNotBlank().isNotEqualTo(first);
        assertThat(forged).isNotBlank().isNotEqualTo(fresh).doesNotContain(" ");
        List<Object> ids = RECORDS.subList(before, RECORDS.size()).stream()
                .filter(r -> r.getFormattedMessage().contains("sign-in refused")).map(r -> (Object) r.getMdc(LogFields.REQUEST_ID))
                .toList();
        assertThat(ids).containsExactly(fresh, forged);
    }

    @Test
    void everyLineOfAReportRunCarriesItsRunIdAndTheRequestThatStartedIt() {
        String requestId = "it-report-" + UUID.randomUUID();
        String runId = given().auth().oauth2(BillingApi.admin()).header(LogFields.REQUEST_ID_HEADER, requestId)
                .post("/admin/report-runs").then().statusCode(201).extract().path("id");
        List<ExtLogRecord> lines = containing(runId);
        assertThat(lines).isNotEmpty().anySatisfy(r -> assertThat(r.getFormattedMessage()).startsWith("report run " + runId));
        assertThat(lines).allSatisfy(r -> {
            assertThat(r.getMdc(LogFields.RUN_ID)).isEqualTo(runId);
            assertThat(r.getMdc(LogFields.REQUEST_ID)).isEqualTo(requestId);
        });
        // and nothing of the run stays on the lines that follow
        given().formParam("token", "after-" + runId).post("/ops/login").then().statusCode(401);
        assertThat(RECORDS.get(RECORDS.size() - 1).getMdc(LogFields.RUN_ID)).isNull();
    }

    @Test
    void everyLineOfAReconciliationRunCarriesItsRunId() {
        String runId = given().auth().oauth2(BillingApi.admin()).contentType("application/json").body("{\"dryRun\":true}")
                .post("/admin/reconciliations").then().statusCode(201).extract().path("id");
        assertThat(containing(runId)).isNotEmpty().allSatisfy(r -> assertThat(r.getMdc(LogFields.RUN_ID)).isEqualTo(runId));
    }
}
