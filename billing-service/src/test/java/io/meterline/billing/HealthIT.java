package io.meterline.billing;

import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;

@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
class HealthIT {

    @Test
    void serviceIsLiveAndReady() {
        given().get("/q/health/ready").then().statusCode(200);
    }
}
