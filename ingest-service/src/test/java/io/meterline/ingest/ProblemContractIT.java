package io.meterline.ingest;

import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.meterline.ingest.TestEvents.token;
import static io.meterline.ingest.TestEvents.writerToken;
import static io.meterline.devstack.testing.ProblemAssertions.isProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

/** Every refusal, from the security and routing layers too, is application/problem+json with a snake_case code. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(JwtResource.class)
class ProblemContractIT {

    @Test
    void requestWithoutTokenIsUnauthenticatedProblem() {
        isProblem(given().contentType("application/json").body("{}").post("/v1/events").then()
                .header("WWW-Authenticate", "Bearer"), 401, "unauthenticated");
    }

    @Test
    void tokenWithoutTheWriterRoleIsForbiddenProblem() {
        isProblem(given().auth().oauth2(token("reader", Set.of("usage:read"), List.of())).contentType("application/json")
                .body("{}").post("/v1/events").then(), 403, "forbidden");
    }

    @Test
    void unknownPathIsNotFoundProblem() {
        isProblem(given().auth().oauth2(writerToken()).get("/v1/no-such-thing").then(), 404, "not_found");
    }

    @Test
    void getOnTheEventsEndpointIsMethodNotAllowedProblem() {
        isProblem(given().auth().oauth2(writerToken()).get("/v1/events").then(), 405, "method_not_allowed");
    }

    @Test
    void bodyOfAnotherMediaTypeIsUnsupportedMediaTypeProblem() {
        isProblem(given().auth().oauth2(writerToken()).contentType("text/plain").body("hello").post("/v1/events").then(),
                415, "unsupported_media_type");
    }

    @Test
    void unexpectedErrorIsInternalProblemWithoutDetailsOfTheFailure() {
        isProblem(given().get("/test/unexpected-error").then().body(not(containsString("sk_test"))), 500, "internal");
    }
}
