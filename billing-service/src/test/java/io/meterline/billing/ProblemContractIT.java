package io.meterline.billing;

import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.meterline.billing.BillingApi.admin;
import static io.meterline.billing.BillingApi.token;
import static io.meterline.devstack.testing.ProblemAssertions.isProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

/** Every refusal, from the security and routing layers too, is application/problem+json with a snake_case code. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
class ProblemContractIT {

    @Test
    void requestWithoutTokenIsUnauthenticatedProblem() {
        isProblem(given().get("/v1/meters").then().header("WWW-Authenticate", "Bearer"), 401, "unauthenticated");
    }

    @Test
    void tokenWithoutTheRoleIsForbiddenProblem() {
        isProblem(given().auth().oauth2(token(Set.of("usage:write"), List.of())).get("/v1/meters").then(), 403, "forbidden");
    }

    @Test
    void unknownPathIsNotFoundProblem() {
        isProblem(given().auth().oauth2(admin()).get("/v1/no-such-thing").then(), 404, "not_found");
    }

    @Test
    void unsupportedMethodIsMethodNotAllowedProblem() {
        isProblem(given().auth().oauth2(admin()).delete("/v1/meters/api-calls").then(), 405, "method_not_allowed");
    }

    @Test
    void bodyOfAnotherMediaTypeIsUnsupportedMediaTypeProblem() {
        isProblem(given().auth().oauth2(admin()).contentType("text/plain").body("eventType=api.call")
                .put("/v1/meters/api-calls").then(), 415, "unsupported_media_type");
    }

    @Test
    void unexpectedErrorIsInternalProblemWithoutDetailsOfTheFailure() {
        isProblem(given().get("/test/unexpected-error").then().body(not(containsString("sk_test"))), 500, "internal");
    }
}
