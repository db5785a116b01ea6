package io.meterline.billing;

import io.meterline.devstack.DevJwt;
import io.meterline.devstack.testing.HostileInputs;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.LogScrape;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static io.meterline.billing.BillingApi.usage;
import static io.meterline.billing.BillingApi.usageRequest;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * The usage query under attack: malformed customer scopes never widen to other customers' windows, parameters
 * of any shape are a 4xx problem and never a 5xx, and the service log has no ERROR line afterwards.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileQueryIT {

    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static final String METER = "hostile-" + RUN;
    static final Instant FROM = Instant.now().minus(Duration.ofHours(3));
    static LogScrape log;
    static boolean produced;

    @BeforeAll
    static void markLog() {
        log = LogScrape.mark();
    }

    /** Another customer's usage exists, so a widened scope would show it. */
    @BeforeEach
    void produceOnce() {
        if (produced) {
            return;
        }
        BillingApi.putMeter(METER, Map.of("eventType", "it." + METER, "aggregation", "SUM", "valuePath", "units",
                "groupBy", List.of("region"), "stripeEventName", "hostile"));
        try (TestEvents events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), Topics.USAGE_EVENTS)) {
            var event = TestEvents.event(UUID.randomUUID().toString(), "it", "it." + METER, "victim",
                    Instant.now().minusSeconds(60));
            ((com.fasterxml.jackson.databind.node.ObjectNode) event.get("data")).put("units", 7).put("region", "eu");
            events.send(event);
            events.flush();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                usage(METER, "victim", FROM, Instant.now(), "hour", null, null).getList("windows.value", Double.class))
                .containsExactly(7.0));
        produced = true;
    }

    static Stream<Arguments> malformedCustomerClaims() {
        return Stream.of(Arguments.of("empty array", List.of()), Arguments.of("object", Map.of("victim", true)),
                Arguments.of("number", 42), Arguments.of("bare string", "victim"),
                Arguments.of("array with a number", List.of("victim", 42)),
                Arguments.of("array with a blank string", List.of("victim", " ")),
                Arguments.of("boolean", true));
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedCustomerClaims")
    void aMalformedCustomersClaimReadsNoCustomersUsage(String shape, Object claim) {
        String token = DevJwt.claims("shape-" + shape, Set.of("usage:read"), null, Duration.ofMinutes(5))
                .claim("customers", claim).sign(SharedInfrastructure.jwt().privateKey());
        usageRequest(token, METER, "victim", FROM, Instant.now()).get("/v1/usage").then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("forbidden_customer"));
    }

    @Order(1)
    @ParameterizedTest
    @ValueSource(strings = {"+999999999-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z", "+10000-01-01T00:00:00Z",
            "+999999999-12-31", "-0001-01-01T00:00:00Z", "+1000000000-01-01T00:00:00Z"})
    void yearsOutsideRfc3339AreABadParameterNotAnOverflow(String time) {
        String admin = BillingApi.admin();
        for (String parameter : List.of("from", "to")) {
            given().auth().oauth2(admin).queryParam("meter", METER).queryParam("customer", "victim")
                    .queryParam(parameter, time).get("/v1/usage").then().statusCode(400)
                    .contentType("application/problem+json").body("errors[0].field", equalTo(parameter));
        }
    }

    @Order(2)
    @Test
    void generatedQueryParametersAreAnswered200Or4xxNeverA5xx() {
        HostileInputs inputs = HostileInputs.fromSystemProperty();
        Random random = inputs.random();
        System.out.println("HostileQueryIT seed " + inputs.seed() + " (replay with -Dhostile.seed=" + inputs.seed() + ")");
        List<String> times = List.of("2026-01-31", "2026-01-31T00:00:00Z", "+999999999-12-31T23:59:59Z",
                "-999999999-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
                "2026-02-30", "2026-01-31T24:00:00Z", "1970-01-01T00:00:00+18:00", "2026-01-31T00:00:00-18:00",
                FROM.toString(), Instant.now().toString(), "");
        List<String> zones = List.of("UTC", "Asia/Tokyo", "+14:00", "-12:00", "+18:00", "+25:00", "Etc/GMT+12",
                "UTC+99", "SystemV/AST4", "../../etc/passwd", "Z", "");
        String admin = BillingApi.admin();
        for (int i = 0; i < 300; i++) {
            RequestSpecification request = given().auth().oauth2(random.nextInt(5) == 0
                    ? SharedInfrastructure.jwt().token("gen", Set.of("usage:read"), List.of("victim"), Duration.ofMinutes(5))
                    : admin);
            param(request, random, "meter", random.nextInt(3) > 0 ? METER : inputs.string());
            param(request, random, "customer", random.nextInt(3) > 0 ? "victim" : inputs.string());
            param(request, random, "from", random.nextBoolean() ? times.get(random.nextInt(times.size())) : inputs.string());
            param(request, random, "to", random.nextBoolean() ? times.get(random.nextInt(times.size())) : inputs.string());
            param(request, random, "window", random.nextBoolean()
                    ? List.of("hour", "day", "week", "month", "year", "HOUR", "minute").get(random.nextInt(7)) : inputs.string());
            param(request, random, "tz", random.nextBoolean() ? zones.get(random.nextInt(zones.size())) : inputs.string());
            param(request, random, "groupBy", random.nextBoolean() ? "region" : inputs.string());
            Response response = request.get("/v1/usage");
            assertThat(response.statusCode()).as("seed %d case %d: %s", inputs.seed(), i, response.asString())
                    .isIn(200, 400, 403, 404);
            if (response.statusCode() != 200) {
                assertThat(response.contentType()).as("seed %d case %d", inputs.seed(), i)
                        .startsWith("application/problem+json");
            }
        }
    }

    /** Sets the parameter most of the time; strings that a URL cannot carry (lone surrogates) are sent as U+FFFD. */
    private static void param(RequestSpecification request, Random random, String name, String value) {
        if (random.nextInt(6) > 0) {
            request.queryParam(name, value.replaceAll("[\\uD800-\\uDFFF]", "\uFFFD"));
        }
    }

    @Order(Integer.MAX_VALUE)
    @Test
    void hostileQueriesLeftNoErrorInTheLog() {
        assertThat(log.errorLines()).isEmpty();
        assertThat(log.textCausedByRequests()).doesNotContain("\tat io.meterline");
    }
}
