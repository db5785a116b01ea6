package io.meterline.devstack.stripe;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Delivers events to registered endpoints the way Stripe does: POST of the event JSON, signed in
 * {@code Stripe-Signature: t=…,v1=…} (HMAC-SHA256 of {@code t + "." + payload} with the endpoint secret),
 * asynchronously, retried with backoff when the endpoint does not answer 2xx.
 */
final class WebhookSender implements AutoCloseable {

    /** One endpoint registered for every event type. */
    record Endpoint(String id, String url, String secret, List<String> enabledEvents) {
        boolean wants(String type) {
            return enabledEvents.isEmpty() || enabledEvents.contains("*") || enabledEvents.contains(type);
        }
    }

    private static final int MAX_ATTEMPTS = 6;

    private final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    /** Every attempt, oldest first: appended once per attempt (a copy-on-write list copied itself on every one). */
    private final java.util.Queue<WebhookDelivery> deliveries = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "stripe-standin-webhooks");
        t.setDaemon(true);
        return t;
    });
    /**
     * At most this many deliveries in flight; the others wait their turn on the scheduler. Unbounded, a burst of
     * events to an endpoint that refused connections (webhook-service not started) opened sockets and threads until
     * the process ran out of file descriptors, and Kafka, in the same process, halted on its next file operation.
     */
    private static final int MAX_IN_FLIGHT = 64;

    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .executor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "stripe-standin-webhook-http");
                t.setDaemon(true);
                return t;
            }))
            .build();

    void add(Endpoint endpoint) {
        endpoints.add(endpoint);
    }

    boolean remove(String id) {
        return endpoints.removeIf(e -> e.id().equals(id));
    }

    List<Endpoint> endpoints() {
        return List.copyOf(endpoints);
    }

    List<WebhookDelivery> deliveries() {
        return List.copyOf(deliveries);
    }

    void clear() {
        endpoints.clear();
        deliveries.clear();
    }

    void send(String eventId, String type, String payload) {
        for (Endpoint endpoint : endpoints) {
            if (endpoint.wants(type)) {
                scheduler.execute(() -> attempt(endpoint, eventId, type, payload, 1));
            }
        }
    }

    /** Runs {@code task} later on the sender's scheduler (error reports of v2 meter events). */
    void schedule(Runnable task, long delayMs) {
        if (!scheduler.isShutdown()) {
            scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    private void attempt(Endpoint endpoint, String eventId, String type, String payload, int attempt) {
        long timestamp = Instant.now().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint.url()))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
                .header("Stripe-Signature", signatureHeader(endpoint.secret(), timestamp, payload))
                .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8))
                .build();
        if (!inFlight.tryAcquire()) {
            if (!scheduler.isShutdown()) {
                scheduler.schedule(() -> attempt(endpoint, eventId, type, payload, attempt), 20, TimeUnit.MILLISECONDS);
            }
            return;
        }
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            inFlight.release();
            int status = failure == null ? response.statusCode() : -1;
            deliveries.add(new WebhookDelivery(eventId, type, endpoint.url(), attempt, status, Instant.now()));
            boolean delivered = status >= 200 && status < 300;
            if (!delivered && attempt < MAX_ATTEMPTS && endpoints.contains(endpoint) && !scheduler.isShutdown()) {
                long delayMs = Math.min(10_000, 250L << (2 * (attempt - 1)));
                scheduler.schedule(() -> attempt(endpoint, eventId, type, payload, attempt + 1), delayMs,
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    /** The real scheme: {@code t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + payload)>}. */
    static String signatureHeader(String secret, long timestamp, String payload) {
        return "t=" + timestamp + ",v1=" + hmacSha256(secret, timestamp + "." + payload);
    }

    static String hmacSha256(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
