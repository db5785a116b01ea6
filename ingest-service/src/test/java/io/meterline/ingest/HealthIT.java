package io.meterline.ingest;

import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(JwtResource.class)
class HealthIT {

    @Test
    void serviceIsLiveAndReady() {
        given().get("/q/health/live").then().statusCode(200);
        // another test class may just have restarted the shared broker; readiness is cached for 2 s
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        given().get("/q/health/ready").then().body("checks.find { it.name == 'kafka' }.status", equalTo("UP"));
    }

    @Test
    void openApiDescribesTheIngestEndpoint() {
        given().get("/q/openapi?format=json").then().statusCode(200).body(containsString("/v1/events"));
    }

    @Test
    void metricsArePublishedForPrometheus() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("meterline_ingest_events_accepted_total"));
    }
}
