package io.meterline.ingest;

import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static io.meterline.devstack.testing.ProblemAssertions.isProblem;
import static io.meterline.ingest.TestEvents.WRITER;
import static io.meterline.ingest.TestEvents.event;
import static io.meterline.ingest.TestEvents.json;
import static io.meterline.ingest.TestEvents.post;
import static io.meterline.ingest.TestEvents.uniqueId;
import static io.meterline.ingest.TestEvents.writerToken;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * What the plain Vert.x route for {@code application/json} events ({@code EventRoute}, decision 0152) decides itself,
 * through real HTTP: the answer's media type, the token's identity reused across requests (role and scope applied on
 * every one, a tampered token never riding on the genuine one), bodies read by the route (chunked, malformed), what it
 * leaves to the REST resource (other media types, an {@code Accept} without JSON), and the request metrics operators
 * keep using.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(JwtResource.class)
class EventRouteIT {

    @Test
    void aSingleEventIsAcceptedAsJsonAndPublished() {
        String id = uniqueId("route");
        post(writerToken(), event(id, "acme")).then().statusCode(202)
                .contentType("application/json;charset=UTF-8")
                .body("accepted", equalTo(1)).body("duplicates", equalTo(0)).body("rejected", equalTo(0))
                .body("results[0].id", equalTo(id)).body("results[0].status", equalTo("accepted"));
        EventPublishingIT.awaitRecords(id, 1);
    }

    @Test
    void theRoutesAnswerIsTheResourcesAnswerByteForByte() throws Exception {
        // binary-mode CloudEvents still go through the REST resource: the same event both ways, ids of equal length
        String id = uniqueId("route-same");
        String viaResource = id.substring(0, id.length() - 1) + (id.endsWith("x") ? "y" : "x");
        var event = event(id, "acme");
        HttpRequest.Builder binary = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/v1/events"))
                .header("Authorization", "Bearer " + writerToken()).header("Content-Type", "application/json")
                .header("ce-specversion", "1.0").header("ce-id", viaResource).header("ce-source", event.get("source").asText())
                .header("ce-type", event.get("type").asText()).header("ce-subject", "acme")
                .header("ce-time", event.get("time").asText());
        HttpResponse<String> resource = HttpClient.newHttpClient().send(
                binary.POST(HttpRequest.BodyPublishers.ofString(json(event.get("data")))).build(),
                HttpResponse.BodyHandlers.ofString());
        var route = post(writerToken(), event);

        assertThat(resource.statusCode()).as(resource.body()).isEqualTo(202);
        assertThat(route.statusCode()).isEqualTo(202);
        assertThat(route.header("Content-Type")).isEqualTo(resource.headers().firstValue("Content-Type").orElseThrow());
        assertThat(route.asString()).isEqualTo(resource.body().replace(viaResource, id));
    }

    @Test
    void jsonWithACharsetParameterIsTakenLikeJson() {
        given().auth().oauth2(writerToken()).contentType("application/json; charset=utf-8")
                .body(json(event(uniqueId("route-charset"), "acme"))).post("/v1/events").then().statusCode(202)
                .body("results[0].status", equalTo("accepted"));
    }

    @Test
    void aTokenWithoutTheWriteRoleIsForbiddenOnEveryRequest() {
        String reader = TestEvents.token("route-reader", Set.of("usage:read"), List.of());
        for (int i = 0; i < 3; i++) {
            isProblem(post(reader, event(uniqueId("route-forbidden"), "acme")).then(), 403, "forbidden");
        }
    }

    @Test
    void aTamperedCopyOfAnAcceptedTokenIsUnauthenticated() {
        String token = TestEvents.token("route-writer", Set.of(WRITER), List.of());
        post(token, event(uniqueId("route-genuine"), "acme")).then().statusCode(202);
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        for (int i = 0; i < 2; i++) {
            isProblem(post(tampered, event(uniqueId("route-tampered"), "acme")).then()
                    .header("WWW-Authenticate", startsWith("Bearer")), 401, "unauthenticated");
        }
        post(token, event(uniqueId("route-genuine"), "acme")).then().statusCode(202);
    }

    @Test
    void aScopedTokenKeepsItsScopeOnEveryRequest() {
        String token = TestEvents.token("route-acme", Set.of(WRITER), List.of("acme"));
        for (int i = 0; i < 2; i++) {
            post(token, event(uniqueId("route-scope"), "acme")).then().statusCode(202);
            ValidatableResponse refused = post(token, event(uniqueId("route-scope"), "globex")).then();
            isProblem(refused, 422, "invalid_event");
            refused.body("errors[0].field", equalTo("subject")).body("errors[0].reason", equalTo("subject_out_of_scope"));
        }
    }

    @Test
    void aTruncatedBodyIsMalformedJson() {
        String body = json(event(uniqueId("route-truncated"), "acme"));
        isProblem(post(writerToken(), body.substring(0, body.length() / 2)).then(), 400, "malformed_json");
    }

    @Test
    void aChunkedBodyWithinTheLimitIsReadWhole() throws Exception {
        String first = uniqueId("route-chunked");
        String second = uniqueId("route-chunked");
        byte[] body = json(TestEvents.batch(event(first, "acme"), event(second, "acme"))).getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/v1/events"))
                .header("Authorization", "Bearer " + writerToken()).header("Content-Type", "application/json")
                // an input stream of unknown length is sent with Transfer-Encoding: chunked
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.body()).contains("\"accepted\":2");
        EventPublishingIT.awaitRecords(first, 1);
        EventPublishingIT.awaitRecords(second, 1);
    }

    @Test
    void aClientThatExpects100ContinueIsToldToSendTheBody() throws Exception {
        String id = uniqueId("route-continue");
        byte[] body = json(event(id, "acme")).getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + writerToken()
                    + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 100 Continue");
            out.write(body);
            out.flush();
            String status;
            do {
                status = in.readLine();
            } while (status != null && !status.startsWith("HTTP/1.1 2") && !status.startsWith("HTTP/1.1 4")
                    && !status.startsWith("HTTP/1.1 5"));
            assertThat(status).isEqualTo("HTTP/1.1 202 Accepted");
        }
        EventPublishingIT.awaitRecords(id, 1);
    }

    @Test
    void anotherMediaTypeIsLeftToTheResourceAndUnsupported() {
        isProblem(given().auth().oauth2(writerToken()).contentType("application/xml").body("<event/>")
                .post("/v1/events").then(), 415, "unsupported_media_type");
    }

    @Test
    void anAcceptWithoutJsonIsLeftToTheResourceAndNotAcceptable() {
        isProblem(given().auth().oauth2(writerToken()).contentType("application/json").accept("text/csv")
                .body(json(event(uniqueId("route-accept"), "acme"))).post("/v1/events").then(), 406, "not_acceptable");
    }

    @Test
    void requestsOfTheRouteAreTimedAsHttpServerRequestsAndCounted() {
        post(writerToken(), event(uniqueId("route-metrics"), "acme")).then().statusCode(202);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics.lines().filter(line -> line.startsWith("http_server_requests_seconds_count{")
                && line.contains("uri=\"/v1/events\"") && line.contains("status=\"202\"") && line.contains("method=\"POST\"")))
                .isNotEmpty();
        assertThat(metrics.lines().filter(line -> line.startsWith("meterline_ingest_events_accepted_total"))).isNotEmpty();
    }

    @Test
    void aBatchIsAnsweredPerEventInRequestOrder() {
        String id = uniqueId("route-batch");
        post(writerToken(), TestEvents.batch(event(id, "acme"), event(id, "acme"), event(uniqueId("route-batch"), "globex")
                .put("time", "yesterday"))).then().statusCode(202)
                .contentType("application/json;charset=UTF-8")
                .body("results.status", contains("accepted", "duplicate_in_batch", "rejected"))
                .body("results[2].errors[0].field", equalTo("time"));
    }
}
