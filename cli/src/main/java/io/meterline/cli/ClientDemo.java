package io.meterline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterline.client.ClientMetrics;
import io.meterline.client.MeterlineClient;
import io.meterline.client.MeterlineEvent;
import io.meterline.client.Rejection;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The demo's producer through {@code meterline-client}: AI suggestions recorded while ingest-service is killed and
 * restarted, delivered from the client's spool, the one bad event reported through the rejection callback, and
 * billing's count grown by exactly the events delivered.
 */
final class ClientDemo {

    private static final int EVENTS = 2_000;
    private static final String CUSTOMER = "acme";

    private final HttpClient http = HttpClient.newHttpClient();

    void run(Stack stack, String runId, DemoResult result) throws Exception {
        Demo.step("24", "A Java service producing through meterline-client: " + EVENTS + " AI suggestions for "
                + CUSTOMER + " and one dated tomorrow, while ingest-service is killed (kill -9) and restarted");
        long before = counted(stack);
        List<Rejection> rejections = new CopyOnWriteArrayList<>();
        Path spool = Files.createDirectories(stack.stateDir().resolve("demo-client-spool"));
        String token = stack.jwt().token("demo-service", Set.of("usage:write"), List.of(), Duration.ofHours(1));
        ClientMetrics metrics;
        try (MeterlineClient client = MeterlineClient.builder().endpoint(URI.create(stack.ingestUrl())).token(token)
                .source("demo-suggestion-service").spoolDirectory(spool).initialBackoff(Duration.ofMillis(100))
                .maxBackoff(Duration.ofSeconds(1)).onRejected(rejections::add).build()) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            for (int n = 0; n < EVENTS / 2; n++) {
                client.record(suggestion(runId, n, now));
            }
            stack.stopService("ingest", true);
            for (int n = EVENTS / 2; n < EVENTS; n++) {
                client.record(suggestion(runId, n, now));
            }
            client.record(MeterlineEvent.builder().id("ai-" + runId + "-tomorrow").type("ai.suggestion")
                    .subject(CUSTOMER).time(now.plus(1, ChronoUnit.DAYS)).put("model", "small").build());
            System.out.printf("   recorded %d events (record() never waits for the network); ingest-service is down%n",
                    EVENTS + 1);
            long waitUntil = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!client.metrics().unreachable() && System.nanoTime() < waitUntil) {
                Thread.sleep(50);
            }
            System.out.printf("   client: Meterline unreachable, %d events waiting in the spool, retrying with backoff%n",
                    client.metrics().queued());
            stack.startService("ingest", Map.of());
            System.out.println("   ingest-service restarted");
            client.flush(Duration.ofMinutes(2));
            metrics = client.metrics();
        }
        System.out.printf("   → delivered %d, rejected %d, failed attempts retried %d, still queued %d%n",
                metrics.sent(), metrics.rejected(), metrics.failedAttempts(), metrics.queued());
        for (Rejection rejection : rejections) {
            System.out.printf("     rejected (callback): %s — %s: %s%n", rejection.id(), rejection.field(),
                    rejection.reason());
        }
        long after = before;
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline && after < before + metrics.sent()) {
            Thread.sleep(500);
            after = counted(stack);
        }
        System.out.printf("   ai-suggestions for %s counted by billing: %d → %d (+%d, each event once)%n", CUSTOMER,
                before, after, after - before);
        result.value("24 delivered", metrics.sent());
        result.value("24 rejected", metrics.rejected());
        result.value("24 still queued", metrics.queued());
        result.value("24 counted", after - before);
    }

    private static MeterlineEvent suggestion(String runId, int n, Instant now) {
        return MeterlineEvent.builder().id("ai-" + runId + "-" + n).type("ai.suggestion").subject(CUSTOMER)
                .time(now.minusSeconds(n % 60)).put("model", n % 2 == 0 ? "small" : "large").build();
    }

    private long counted(Stack stack) throws Exception {
        Instant now = Instant.now();
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.billingUrl() + "/v1/usage?meter=ai-suggestions"
                + "&customer=" + CUSTOMER + "&window=hour&from=" + now.minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS)
                + "&to=" + now.plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS)))
                .header("Authorization", "Bearer " + stack.operatorToken()).build();
        JsonNode usage = Demo.JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
        long count = 0;
        for (JsonNode window : usage.path("windows")) {
            count += window.path("eventCount").asLong();
        }
        return count;
    }
}
