package io.meterline.ingest;

import io.meterline.devstack.DevJwt;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.ingest.security.CachingJwtParser;
import io.smallrye.jwt.auth.principal.JWTParser;
import jakarta.inject.Inject;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static io.meterline.ingest.TestEvents.WRITER;
import static io.meterline.ingest.TestEvents.batch;
import static io.meterline.ingest.TestEvents.event;
import static io.meterline.ingest.TestEvents.json;
import static io.meterline.ingest.TestEvents.post;
import static io.meterline.ingest.TestEvents.uniqueId;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(JwtResource.class)
class AuthenticationIT {

    @Inject
    JWTParser parser;

    @Test
    void tokenVerificationGoesThroughTheCachingParser() {
        assertThat(parser).isInstanceOf(CachingJwtParser.class);
    }

    private static String body() {
        return json(event(uniqueId("auth"), "acme"));
    }

    private static void assertUnauthenticated(String token) {
        post(token, body()).then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("code", equalTo("unauthenticated"))
                .body("status", equalTo(401));
    }

    @Test
    void requestWithoutTokenIsUnauthenticated() {
        given().contentType(ContentType.JSON).body(body()).post("/v1/events").then().statusCode(401)
                .contentType("application/problem+json")
                .body("code", equalTo("unauthenticated"));
    }

    @Test
    void tokenSignedByAnotherKeyIsUnauthenticated() {
        assertUnauthenticated(DevJwt.generate().token("intruder", Set.of(WRITER), List.of(), Duration.ofMinutes(5)));
    }

    @Test
    void tokenFromAnotherIssuerIsUnauthenticated() {
        assertUnauthenticated(DevJwt.claims("p", Set.of(WRITER), List.of(), Duration.ofMinutes(5))
                .issuer("https://someone-else.example").sign(TestEvents.jwt().privateKey()));
    }

    @Test
    void tokenForAnotherAudienceIsUnauthenticated() {
        assertUnauthenticated(DevJwt.claims("p", Set.of(WRITER), List.of(), Duration.ofMinutes(5))
                .audience("another-api").sign(TestEvents.jwt().privateKey()));
    }

    @Test
    void expiredTokenIsUnauthenticated() {
        long now = Instant.now().getEpochSecond();
        assertUnauthenticated(DevJwt.claims("p", Set.of(WRITER), List.of(), Duration.ofMinutes(5))
                .issuedAt(now - 3600).expiresAt(now - 600).sign(TestEvents.jwt().privateKey()));
    }

    @Test
    void garbageTokenIsUnauthenticated() {
        assertUnauthenticated("not-a-jwt");
    }

    @Test
    void tokenWithoutTheWriteRoleIsForbidden() {
        post(TestEvents.token("reader", Set.of("usage:read"), List.of()), body()).then().statusCode(403)
                .contentType("application/problem+json")
                .body("code", equalTo("forbidden"));
    }

    @Test
    void eventsOutsideTheTokenScopeAreRejectedPerEvent() {
        String prefix = uniqueId("scope");
        String token = TestEvents.token("acme-device", Set.of(WRITER), List.of("acme"));

        post(token, batch(event(prefix + "-1", "acme"), event(prefix + "-2", "globex"))).then().statusCode(202)
                .body("results.status", contains("accepted", "rejected"))
                .body("results[1].errors[0].field", equalTo("subject"))
                .body("results[1].errors[0].reason", equalTo("subject_out_of_scope"));

        EventPublishingIT.awaitRecords(prefix, 1);
    }

    @Test
    void singleEventOutsideTheTokenScopeIsUnprocessable() {
        String token = TestEvents.token("acme-device", Set.of(WRITER), List.of("acme"));

        post(token, event(uniqueId("scope"), "globex")).then().statusCode(422)
                .contentType("application/problem+json")
                .body("errors[0].reason", equalTo("subject_out_of_scope"));
    }
}
