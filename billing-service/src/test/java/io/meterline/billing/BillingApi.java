package io.meterline.billing;

import io.meterline.devstack.testing.SharedInfrastructure;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;

/** Calls to the billing API under test with real tokens. */
final class BillingApi {

    private BillingApi() {
    }

    static String token(Set<String> roles, Collection<String> customers) {
        return SharedInfrastructure.jwt().token("test-" + roles, roles, customers, Duration.ofHours(1));
    }

    static String admin() {
        return token(Set.of("admin"), List.of());
    }

    static void putMeter(String key, Map<String, Object> body) {
        given().auth().oauth2(admin()).contentType("application/json").body(body)
                .put("/v1/meters/" + key).then().statusCode(200);
    }

    static RequestSpecification usageRequest(String token, String meter, String customer, Instant from, Instant to) {
        return given().auth().oauth2(token).queryParam("meter", meter).queryParam("customer", customer)
                .queryParam("from", from.toString()).queryParam("to", to.toString());
    }

    /** Windows of the answer as JSON, asserting 200. */
    static JsonPath usage(String meter, String customer, Instant from, Instant to, String window, String tz,
            String groupBy) {
        RequestSpecification request = usageRequest(admin(), meter, customer, from, to).queryParam("window", window);
        if (tz != null) {
            request.queryParam("tz", tz);
        }
        if (groupBy != null) {
            request.queryParam("groupBy", groupBy);
        }
        return request.get("/v1/usage").then().statusCode(200).extract().jsonPath();
    }
}
