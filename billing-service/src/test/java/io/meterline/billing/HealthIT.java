package io.meterline.billing;

import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
class HealthIT {

    @Test
    void serviceIsLiveAndReady() {
        given().get("/q/health/live").then().statusCode(200);
        // Kafka Streams joins its group asynchronously after start-up: ready once it runs
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200)
                        .body(containsString("usage aggregation")));
    }
}
