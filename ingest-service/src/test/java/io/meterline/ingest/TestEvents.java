package io.meterline.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.devstack.DevJwt;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.UsageEventJson;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Events, tokens and requests shared by the integration tests. */
final class TestEvents {

    static final String WRITER = "usage:write";

    private TestEvents() {
    }

    /** A unique prefix so that each test finds its own records on the shared topic. */
    static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    static ObjectNode event(String id, String subject) {
        ObjectNode node = UsageEventJson.mapper().createObjectNode();
        node.put("id", id).put("source", "it-producer").put("type", "api.call").put("subject", subject)
                .put("time", Instant.now().minusSeconds(30).toString());
        node.putObject("data").put("units", 3).put("region", "eu");
        return node;
    }

    static ArrayNode batch(ObjectNode... events) {
        ArrayNode array = UsageEventJson.mapper().createArrayNode();
        for (ObjectNode event : events) {
            array.add(event);
        }
        return array;
    }

    static ArrayNode batch(List<ObjectNode> events) {
        return batch(events.toArray(ObjectNode[]::new));
    }

    static String json(Object value) {
        try {
            return UsageEventJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String writerToken() {
        return token("it-writer", Set.of(WRITER), List.of());
    }

    static String token(String principal, Set<String> roles, Collection<String> customers) {
        return SharedInfrastructure.jwt().token(principal, roles, customers, Duration.ofMinutes(10));
    }

    static Response post(String token, Object body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(body instanceof String text ? text : json(body)).post("/v1/events");
    }

    static DevJwt jwt() {
        return SharedInfrastructure.jwt();
    }
}
