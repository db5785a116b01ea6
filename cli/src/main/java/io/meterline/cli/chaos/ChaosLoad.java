package io.meterline.cli.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load generator: batches of ten usage events through ingest's HTTP API, one after another (at most about 100
 * events/s), each batch resent with the same ids and values until ingest acknowledges it (202, every event
 * {@code accepted}). Only acknowledged events enter the expected totals; a resend of an event Kafka had stored without
 * the answer reaching us is deduplicated by billing, so the expected totals are exact.
 */
final class ChaosLoad {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 10;

    /** Acknowledged events and units of one subject. */
    record Expected(long events, long units) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String url;
    private final String token;
    private final List<String> subjects;
    private final Random random;
    private final Map<String, Expected> expected = new ConcurrentHashMap<>();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong unanswered = new AtomicLong();
    private long nextId;
    private volatile boolean running;
    private Thread thread;
    private volatile Exception failure;

    ChaosLoad(String ingestUrl, String token, List<String> subjects, long seed) {
        this.url = ingestUrl + "/v1/events";
        this.token = token;
        this.subjects = List.copyOf(subjects);
        this.random = new Random(seed);
    }

    /** Starts sending in the background until {@link #stop()}. */
    void start() {
        running = true;
        failure = null;
        thread = new Thread(this::loop, "chaos-load");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops sending and waits until the batch in flight is acknowledged. */
    void stop() throws Exception {
        running = false;
        thread.join();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Waits until {@code events} more are acknowledged than at the call (at most two minutes): on a loaded machine a
     * fixed time can pass with hardly an answer, and a fault needs traffic after it.
     */
    void awaitMore(long events) throws InterruptedException {
        long target = acknowledged.get() + events;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (acknowledged.get() < target && System.nanoTime() < deadline && failure == null) {
            Thread.sleep(100);
        }
    }

    Map<String, Expected> expected() {
        return Map.copyOf(expected);
    }

    long acknowledged() {
        return acknowledged.get();
    }

    /** Requests that got no acknowledgement (5xx, refused connection, timeout) and were sent again. */
    long unanswered() {
        return unanswered.get();
    }

    private void loop() {
        try {
            while (running) {
                sendUntilAcknowledged(batch());
                Thread.sleep(100);
            }
        } catch (Exception e) {
            failure = e;
        }
    }

    private synchronized ArrayNode batch() {
        ArrayNode batch = JSON.createArrayNode();
        Instant now = Instant.now();
        for (int i = 0; i < BATCH; i++) {
            // the current and the previous hour: several windows per customer, late events included
            Instant time = now.minusMillis(random.nextInt((int) TimeUnit.MINUTES.toMillis(90))).truncatedTo(ChronoUnit.MILLIS);
            ObjectNode event = batch.addObject().put("id", "chaos-" + (nextId++)).put("source", "meterline-chaos")
                    .put("type", Chaos.EVENT_TYPE).put("subject", subjects.get(random.nextInt(subjects.size())))
                    .put("time", time.toString());
            event.putObject("data").put("units", 1 + random.nextInt(9));
        }
        return batch;
    }

    private void sendUntilAcknowledged(ArrayNode batch) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(batch.toString(), StandardCharsets.UTF_8)).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (true) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 202) {
                    record(batch, JSON.readTree(response.body()));
                    return;
                }
                if (response.statusCode() < 500) {
                    throw new IllegalStateException("ingest refused a chaos batch: " + response.statusCode() + " "
                            + response.body());
                }
            } catch (IOException e) {
                // no answer: not acknowledged, send the same events again
            }
            unanswered.incrementAndGet();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("ingest did not acknowledge a batch in 10 minutes");
            }
            Thread.sleep(500);
        }
    }

    private void record(ArrayNode batch, JsonNode answer) {
        for (JsonNode result : answer.path("results")) {
            if (!result.path("status").asText().equals("accepted")) {
                throw new IllegalStateException("ingest did not accept a chaos event: " + result);
            }
            JsonNode event = batch.get(result.path("index").asInt());
            long units = event.path("data").path("units").asLong();
            expected.merge(event.path("subject").asText(), new Expected(1, units),
                    (a, b) -> new Expected(a.events + b.events, a.units + b.units));
            acknowledged.incrementAndGet();
        }
    }
}
