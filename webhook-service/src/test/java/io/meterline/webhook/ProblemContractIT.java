package io.meterline.webhook;

import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.webhook.support.WebhookSecretsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static io.meterline.devstack.testing.ProblemAssertions.isProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

/** Every refusal, from the security and routing layers too, is application/problem+json with a snake_case code. */
@QuarkusTest
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(value = WebhookSecretsResource.class, restrictToAnnotatedClass = true)
class ProblemContractIT {

    private static String token(String role) {
        return SharedInfrastructure.jwt().token("problem-it", Set.of(role), List.of(), Duration.ofMinutes(5));
    }

    @Test
    void adminCallWithoutTokenIsUnauthenticatedProblem() {
        isProblem(given().get("/admin/webhook-events").then().header("WWW-Authenticate", "Bearer"), 401, "unauthenticated");
    }

    @Test
    void adminCallWithoutTheAdminRoleIsForbiddenProblem() {
        isProblem(given().auth().oauth2(token("usage:read")).get("/admin/webhook-events").then(), 403, "forbidden");
    }

    @Test
    void unknownPathIsNotFoundProblem() {
        isProblem(given().get("/webhooks/no-such-provider").then(), 404, "not_found");
    }

    @Test
    void getOnTheWebhookEndpointIsMethodNotAllowedProblem() {
        isProblem(given().get("/webhooks/stripe").then(), 405, "method_not_allowed");
    }

    @Test
    void webhookThatIsNotJsonIsUnsupportedMediaTypeProblem() {
        isProblem(given().contentType("text/plain").body("hello").post("/webhooks/stripe").then(), 415,
                "unsupported_media_type");
    }

    @Test
    void unexpectedErrorIsInternalProblemWithoutDetailsOfTheFailure() {
        isProblem(given().get("/test/unexpected-error").then().body(not(containsString("sk_test"))), 500, "internal");
    }
}
