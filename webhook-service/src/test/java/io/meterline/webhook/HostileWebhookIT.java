package io.meterline.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import io.meterline.devstack.testing.HostileInputs;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.LogScrape;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.webhook.domain.ErrorCode;
import io.meterline.webhook.support.Deliveries;
import io.meterline.webhook.support.StripeSigner;
import io.meterline.webhook.support.WebhookSecretsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;
import java.util.Random;

import static io.meterline.webhook.support.Mongo.event;
import static io.meterline.webhook.support.StripeFixtures.customer;
import static io.meterline.webhook.support.StripeFixtures.id;
import static io.meterline.webhook.support.StripeFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Deliveries anyone can send without the secret, and signed ones with broken envelopes: every answer is a 4xx
 * problem (never a 5xx), nothing is stored under an empty id, and the log has no ERROR line afterwards.
 */
@QuarkusTest
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(value = WebhookSecretsResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileWebhookIT {

    static LogScrape log;

    @Inject
    MongoClient mongo;

    @BeforeAll
    static void markLog() {
        log = LogScrape.mark();
    }

    static String customerEvent(String eventId) {
        return json(io.meterline.webhook.support.StripeFixtures.event(eventId, "customer.created",
                Instant.now().getEpochSecond(), customer(id("cus"), null, null)));
    }

    static String sign(String body) {
        return StripeSigner.header(WebhookSecretsResource.newSecret(), body);
    }

    @Order(1)
    @ParameterizedTest
    @ValueSource(strings = {"t=abc,v1=00", "t=,v1=", "t=99999999999999999999999,v1=ab", "t=-1,v1=ab", "v1=ab",
            "t=1", ",,,", "t=1,t=2,v1=ab", "garbage", "t=1e3,v1=ab", "t=\u0661\u0662,v1=ab"})
    void aMalformedSignatureHeaderIsAnInvalidSignatureProblem(String header) {
        String eventId = id("evt");
        Deliveries.deliver(customerEvent(eventId), header).then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo(ErrorCode.INVALID_SIGNATURE.code()));
        assertThat(event(mongo, eventId)).isNull();
    }

    @Order(1)
    @ParameterizedTest
    @ValueSource(strings = {"", " ", "null", "[]", "42", "\"text\"", "{}", "{\"id\":\"evt_x\"}"})
    void aValidlySignedBodyThatIsNoEventIsAnInvalidEventProblem(String body) {
        Deliveries.deliver(body, sign(body)).then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo(ErrorCode.INVALID_EVENT.code()));
    }

    @Order(1)
    @ParameterizedTest
    @ValueSource(strings = {"{\"nested\":true}", "\"\"", "\"   \"", "42", "true", "[\"evt_1\"]"})
    void aSignedEventWithANonStringOrBlankIdIsRefusedAndNotStored(String idJson) {
        String eventId = id("evt");
        ObjectNode event = (ObjectNode) io.meterline.webhook.support.StripeFixtures.event(eventId, "customer.created",
                Instant.now().getEpochSecond(), customer(id("cus"), null, null));
        String body = json(event).replace("\"id\":\"" + eventId + "\"", "\"id\":" + idJson);
        Deliveries.deliver(body, sign(body)).then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo(ErrorCode.INVALID_EVENT.code()));
        assertThat(event(mongo, "")).isNull();
        assertThat(event(mongo, "   ")).isNull();
    }

    @Order(1)
    @ParameterizedTest
    @ValueSource(strings = {"{\"nested\":true}", "\"\"", "\" \"", "7", "null"})
    void aSignedEventWithANonStringOrBlankTypeIsRefusedAndNotStored(String typeJson) {
        String eventId = id("evt");
        String body = customerEvent(eventId).replace("\"type\":\"customer.created\"", "\"type\":" + typeJson);
        Deliveries.deliver(body, sign(body)).then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo(ErrorCode.INVALID_EVENT.code()));
        assertThat(event(mongo, eventId)).isNull();
    }

    @Order(1)
    @Test
    void aSignatureTimestampMoreThanTheToleranceInTheFutureIsStale() {
        String eventId = id("evt");
        String body = customerEvent(eventId);
        long sixMinutesAhead = Instant.now().plusSeconds(360).getEpochSecond();
        Deliveries.deliver(body, StripeSigner.header(WebhookSecretsResource.newSecret(), body, sixMinutesAhead))
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo(ErrorCode.STALE_SIGNATURE.code()))
                .body("detail", containsString("future"));
        assertThat(event(mongo, eventId)).isNull();
    }

    @Order(1)
    @Test
    void aSignatureTimestampSlightlyAheadIsStillAccepted() {
        String eventId = id("evt");
        String body = customerEvent(eventId);
        long aMinuteAhead = Instant.now().plusSeconds(60).getEpochSecond();
        Deliveries.deliver(body, StripeSigner.header(WebhookSecretsResource.newSecret(), body, aMinuteAhead))
                .then().statusCode(200).body("id", equalTo(eventId));
    }

    @Order(2)
    @Test
    void generatedSignatureHeadersAndBodiesAreAnswered4xxNeverA5xx() {
        HostileInputs inputs = HostileInputs.fromSystemProperty();
        Random random = inputs.random();
        System.out.println("HostileWebhookIT seed " + inputs.seed() + " (replay with -Dhostile.seed=" + inputs.seed() + ")");
        for (int i = 0; i < 300; i++) {
            String body = random.nextInt(3) == 0 ? inputs.value(3) : customerEvent(id("evt"));
            String header = switch (random.nextInt(5)) {
                case 0 -> inputs.string();
                case 1 -> "t=" + inputs.number() + ",v1=" + inputs.string();
                case 2 -> "t=" + Instant.now().getEpochSecond() + ",v1=" + inputs.string() + "," + inputs.string();
                case 3 -> inputs.mutate(sign(body));
                default -> String.join(",", List.of(inputs.string(), "t=" + random.nextLong(), "v0=" + inputs.string()));
            };
            // a header cannot carry CR/LF or non-Latin-1 characters: the HTTP client would refuse to send them
            header = header.replaceAll("[^\\x20-\\x7e]", "?");
            Response response = Deliveries.deliver(body, header);
            assertThat(response.statusCode()).as("seed %d case %d: %s -> %s", inputs.seed(), i, header,
                    response.asString()).isBetween(200, 499);
            if (response.statusCode() >= 400) {
                assertThat(response.contentType()).startsWith("application/problem+json");
            }
        }
    }

    @Order(Integer.MAX_VALUE)
    @Test
    void hostileDeliveriesLeftNoErrorInTheLog() {
        assertThat(log.errorLines()).isEmpty();
        assertThat(log.textCausedByRequests()).doesNotContain("\tat com.stripe").doesNotContain("\tat io.meterline");
    }
}
