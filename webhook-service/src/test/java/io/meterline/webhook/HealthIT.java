package io.meterline.webhook;

import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.webhook.support.WebhookSecretsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

@QuarkusTest
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(value = WebhookSecretsResource.class, restrictToAnnotatedClass = true)
class HealthIT {

    @Test
    void serviceIsReadyWhenMongoAnswers() {
        given().get("/q/health/ready").then().statusCode(200).body(containsString("MongoDB"));
    }

    @Test
    void metricsExposeWebhookCounters() {
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("webhook_events_received_total"))
                .body(containsString("webhook_events_pending"));
    }
}
