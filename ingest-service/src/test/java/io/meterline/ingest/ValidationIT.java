package io.meterline.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.meterline.ingest.TestEvents.batch;
import static io.meterline.ingest.TestEvents.event;
import static io.meterline.ingest.TestEvents.post;
import static io.meterline.ingest.TestEvents.uniqueId;
import static io.meterline.ingest.TestEvents.writerToken;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;

@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(JwtResource.class)
class ValidationIT {

    /** One broken event per validation reason: what to break, and the field and reason expected back. */
    static Stream<Arguments> invalidEvents() {
        return Stream.of(
                broken("missing id", e -> e.remove("id"), "id", "missing"),
                broken("id not a string", e -> e.put("id", 42), "id", "not_a_string"),
                broken("id too long", e -> e.put("id", "x".repeat(257)), "id", "too_long"),
                broken("blank source", e -> e.put("source", "  "), "source", "blank"),
                broken("missing subject", e -> e.remove("subject"), "subject", "missing"),
                broken("type with spaces", e -> e.put("type", "api call"), "type", "invalid_format"),
                broken("missing time", e -> e.remove("time"), "time", "missing"),
                broken("time not RFC 3339", e -> e.put("time", "31/01/2026 12:00"), "time", "invalid_time"),
                broken("time without offset", e -> e.put("time", "2026-01-31T12:00:00"), "time", "invalid_time"),
                broken("time 10 minutes ahead", e -> e.put("time", Instant.now().plus(Duration.ofMinutes(10)).toString()),
                        "time", "time_in_future"),
                broken("time older than lookback", e -> e.put("time", Instant.now().minus(Duration.ofDays(36)).toString()),
                        "time", "time_too_old"),
                broken("data an array", e -> e.putArray("data").add(1), "data", "not_an_object"),
                broken("data a string", e -> e.put("data", "units=3"), "data", "not_an_object"),
                broken("data over 8 KiB", e -> ((ObjectNode) e.get("data")).put("blob", "x".repeat(9000)),
                        "data", "too_large"));
    }

    private static Arguments broken(String name, Consumer<ObjectNode> breakIt, String field, String reason) {
        return Arguments.of(name, breakIt, field, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidEvents")
    void invalidSingleEventIsUnprocessableAndNamesTheField(String name, Consumer<ObjectNode> breakIt, String field,
            String reason) {
        ObjectNode event = event(uniqueId("invalid"), "acme");
        breakIt.accept(event);

        post(writerToken(), event).then().statusCode(422)
                .contentType("application/problem+json")
                .body("code", equalTo("invalid_event"))
                .body("errors[0].field", equalTo(field))
                .body("errors[0].reason", equalTo(reason))
                .body("errors[0].message", containsString(field));
    }

    @Test
    void everyInvalidEventOfABatchIsRejectedWithItsReason() {
        List<Arguments> cases = invalidEvents().toList();
        List<ObjectNode> events = new ArrayList<>();
        for (Arguments c : cases) {
            ObjectNode event = event(uniqueId("invalid"), "acme");
            @SuppressWarnings("unchecked")
            Consumer<ObjectNode> breakIt = (Consumer<ObjectNode>) c.get()[1];
            breakIt.accept(event);
            events.add(event);
        }
        ValidatableResponse response = post(writerToken(), batch(events)).then().statusCode(202)
                .body("accepted", equalTo(0))
                .body("rejected", equalTo(cases.size()))
                .body("results.status", everyItem(equalTo("rejected")));
        for (int i = 0; i < cases.size(); i++) {
            response.body("results[" + i + "].errors[0].field", equalTo(cases.get(i).get()[2]))
                    .body("results[" + i + "].errors[0].reason", equalTo(cases.get(i).get()[3]));
        }
    }

    @Test
    void nonObjectInABatchIsRejected() {
        post(writerToken(), "[42]").then().statusCode(202)
                .body("results[0].status", equalTo("rejected"))
                .body("results[0].errors[0].reason", equalTo("not_an_object"));
    }

    @Test
    void batchOfExactlyTheLimitIsAccepted() {
        String prefix = uniqueId("limit");
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            events.add(event(prefix + "-" + i, "customer-" + (i % 7)));
        }
        post(writerToken(), batch(events)).then().statusCode(202)
                .body("accepted", equalTo(1000))
                .body("results", hasSize(1000));
    }

    @Test
    void batchOverTheLimitIsTooLarge() {
        String prefix = uniqueId("over");
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            events.add(event(prefix + "-" + i, "acme"));
        }
        post(writerToken(), batch(events)).then().statusCode(413)
                .contentType("application/problem+json")
                .body("code", equalTo("batch_too_large"))
                .body("detail", containsString("1001"))
                .body("detail", containsString("1000"));
    }

    @Test
    void bodyOverTheSizeLimitIsTooLarge() {
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            ObjectNode event = event(uniqueId("huge"), "acme");
            ((ObjectNode) event.get("data")).put("blob", "x".repeat(6000));
            events.add(event);
        }
        post(writerToken(), batch(events)).then().statusCode(413)
                .contentType("application/problem+json")
                .body("code", equalTo("body_too_large"));
    }

    @Test
    void malformedJsonIsABadRequest() {
        post(writerToken(), "{\"id\": \"e1\", ").then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("malformed_json"));
    }

    @Test
    void bodyThatIsNeitherObjectNorArrayIsABadRequest() {
        post(writerToken(), "\"an event\"").then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("invalid_body"));
    }

    @Test
    void emptyBatchIsABadRequest() {
        post(writerToken(), "[]").then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("empty_batch"));
    }
}
