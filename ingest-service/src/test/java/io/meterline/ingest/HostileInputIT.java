package io.meterline.ingest;

import io.meterline.devstack.DevJwt;
import io.meterline.devstack.testing.HostileInputs;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.LogScrape;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static io.meterline.ingest.TestEvents.WRITER;
import static io.meterline.ingest.TestEvents.event;
import static io.meterline.ingest.TestEvents.json;
import static io.meterline.ingest.TestEvents.uniqueId;
import static io.meterline.ingest.TestEvents.writerToken;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * What an attacker or a careless producer sends: malformed scopes, numbers that overflow, lenient JSON, invisible
 * characters, oversized chunked bodies and generated garbage. Every answer is 202 or a 4xx problem, never a 5xx,
 * and the service log has no ERROR line afterwards (checked last).
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(JwtResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {

    static LogScrape log;

    @BeforeAll
    static void markLog() {
        log = LogScrape.mark();
    }

    static String eventBody(String unitsJson) {
        return json(event(uniqueId("hostile"), "acme")).replace("\"units\":3", "\"units\":" + unitsJson);
    }

    static Response post(String body) {
        return given().auth().oauth2(writerToken()).contentType(ContentType.JSON).body(body).post("/v1/events");
    }

    /** Claims that are present but not a non-empty array of non-blank strings. */
    static Stream<Arguments> malformedCustomerClaims() {
        return Stream.of(Arguments.of("empty array", List.of()), Arguments.of("object", Map.of("acme", true)),
                Arguments.of("number", 42), Arguments.of("bare string", "acme"),
                Arguments.of("array with a number", List.of("acme", 42)),
                Arguments.of("array with a blank string", List.of("acme", " ")),
                Arguments.of("boolean", true));
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedCustomerClaims")
    void aMalformedCustomersClaimAllowsWritingForNoCustomer(String shape, Object claim) {
        String token = DevJwt.claims("shape-" + shape, Set.of(WRITER), null, Duration.ofMinutes(5))
                .claim("customers", claim).sign(TestEvents.jwt().privateKey());
        TestEvents.post(token, event(uniqueId("scope"), "acme")).then().statusCode(422)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("subject"))
                .body("errors[0].reason", equalTo("subject_out_of_scope"));
    }

    @Order(1)
    @ParameterizedTest
    @ValueSource(strings = {"1e400", "-1e400", "1.7e308", "1e16", "\"1e400\"", "1e-400", "0.1234567890123456"})
    void numbersBillingCouldNotCountExactlyAreRefusedAtTheEdge(String units) {
        post(eventBody(units)).then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("data.units"))
                .body("errors[0].reason", equalTo("number_out_of_range"));
    }

    @Order(1)
    @Test
    void twoEventsOfHugeValueInABatchAreBothRefused() {
        String batch = "[" + eventBody("1.7e308") + "," + eventBody("1.7e308") + "]";
        post(batch).then().statusCode(202).body("accepted", equalTo(0)).body("rejected", equalTo(2));
    }

    @Order(1)
    @ParameterizedTest
    @ValueSource(strings = {"xyz", "{}", "{\"id\":\"second\"}", "]"})
    void contentAfterTheBodyIsMalformedJson(String trailing) {
        post(eventBody("1") + trailing).then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("malformed_json"));
    }

    @Order(1)
    @Test
    void duplicateKeysAreMalformedJson() {
        String body = eventBody("1").replace("\"source\":\"it-producer\"",
                "\"source\":\"it-producer\",\"source\":\"other\"");
        post(body).then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("malformed_json")).body("detail", containsString("source"));
    }

    @Order(1)
    @Test
    void aBodyWithoutContentTypeIsUnsupported() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/v1/events"))
                .header("Authorization", "Bearer " + writerToken())
                .POST(HttpRequest.BodyPublishers.ofString(eventBody("1"))).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).contains("\"code\":\"unsupported_media_type\"");
    }

    @Order(1)
    @ParameterizedTest
    @ValueSource(strings = {"\\u0000", "\\r\\n", "\\u001b[31m", "\\u007f", "\\u202e", "\\u200b", "\\ud800", "\\udfff"})
    void identifiersWithControlOrInvisibleCharactersAreRefusedNamingTheField(String escaped) {
        for (String field : List.of("id", "source", "subject")) {
            String body = eventBody("1").replaceFirst("\"" + field + "\":\"", "\"" + field + "\":\"x" + escaped.replace("\\", "\\\\"));
            post(body).then().statusCode(422).contentType("application/problem+json")
                    .body("errors[0].field", equalTo(field))
                    .body("errors[0].reason", equalTo("invalid_characters"));
        }
    }

    @Order(1)
    @Test
    void anOverLimitChunkedBodyIsOne413Problem() throws Exception {
        assertThat(rawPost(true)).startsWith("HTTP/1.1 413").contains("application/problem+json")
                .contains("\"code\":\"body_too_large\"");
    }

    @Order(1)
    @Test
    void anOverLimitDeclaredBodyIsOne413Problem() throws Exception {
        assertThat(rawPost(false)).startsWith("HTTP/1.1 413").contains("application/problem+json")
                .contains("\"code\":\"body_too_large\"");
    }

    /** Sends 3 MiB (the limit is 2 MiB) chunked or with Content-Length, reading whatever the server answers. */
    private static String rawPost(boolean chunked) throws Exception {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            int size = 3 * 1024 * 1024;
            String head = "POST /v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + writerToken()
                    + "\r\nContent-Type: application/json\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + size + "\r\n") + "\r\n";
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    out.write(head.getBytes(StandardCharsets.US_ASCII));
                    byte[] chunk = new byte[64 * 1024];
                    java.util.Arrays.fill(chunk, (byte) ' ');
                    for (int sent = 0; sent < size; sent += chunk.length) {
                        if (chunked) {
                            out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        }
                        out.write(chunk);
                        if (chunked) {
                            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                    if (chunked) {
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                } catch (Exception e) {
                    // the server may close the connection after answering: that is the point
                }
            });
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int read; (read = in.read(buffer)) != -1; ) {
                    answer.write(buffer, 0, read);
                    String text = answer.toString(StandardCharsets.UTF_8);
                    if (text.contains("\r\n\r\n") && text.contains("}")) {
                        break;
                    }
                }
            } catch (java.net.SocketException e) {
                // reset after the answer was read
            }
            writer.cancel(true);
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    @Order(2)
    @Test
    void generatedHostileBodiesAreAnswered202Or4xxNeverA5xx() {
        HostileInputs inputs = HostileInputs.fromSystemProperty();
        System.out.println("HostileInputIT seed " + inputs.seed() + " (replay with -Dhostile.seed=" + inputs.seed() + ")");
        for (int i = 0; i < 400; i++) {
            String body = inputs.body("acme", Instant.now().minusSeconds(60));
            Response response = post(body);
            int status = response.statusCode();
            assertThat(status).as("seed %d case %d: %s -> %s", inputs.seed(), i, body, response.asString())
                    .isIn(202, 400, 413, 422);
            if (status != 202) {
                assertThat(response.contentType()).as("seed %d case %d", inputs.seed(), i)
                        .startsWith("application/problem+json");
            }
        }
    }

    @Order(Integer.MAX_VALUE)
    @Test
    void hostileInputLeftNoErrorInTheLog() {
        assertThat(log.errorLines()).isEmpty();
        assertThat(log.textCausedByRequests()).doesNotContain("\tat io.").doesNotContain("\tat java.");
    }

    @AfterAll
    static void forget() {
        log = null;
    }
}
