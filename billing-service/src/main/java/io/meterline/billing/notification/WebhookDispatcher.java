package io.meterline.billing.notification;

import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.config.NotificationsConfig;
import io.meterline.model.period.WebhookSignature;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends due webhook deliveries: claims each (compare-and-set, so two instances never send the same attempt),
 * signs the body with the endpoint's secret, and records the outcome: delivered on 2xx, otherwise retried with
 * exponential backoff and full jitter, {@code dead} after {@code max-attempts}. A delivery whose instance died is
 * attempted again after the claim timeout, with the same id.
 */
@ApplicationScoped
public class WebhookDispatcher {

    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);

    private final DeliveryRepository deliveries;
    private final WebhookEndpointRepository endpoints;
    private final NotificationsConfig config;
    private final HttpClient http;
    private final String instance = UUID.randomUUID().toString().substring(0, 12);
    private final Counter delivered;
    private final Counter failed;
    private final Counter dead;

    public WebhookDispatcher(DeliveryRepository deliveries, WebhookEndpointRepository endpoints, BillingConfig config,
            ManagedExecutor executor, MeterRegistry registry) {
        this.deliveries = deliveries;
        this.endpoints = endpoints;
        this.config = config.notifications();
        if (this.config.claimTimeout().compareTo(this.config.requestTimeout()) <= 0) {
            // otherwise another instance could take over a delivery whose request is still waiting for its answer
            throw new IllegalStateException("billing.notifications.claim-timeout must be longer than request-timeout");
        }
        this.http = HttpClient.newBuilder().connectTimeout(this.config.requestTimeout()).executor(executor).build();
        this.delivered = Counter.builder("meterline_webhook_deliveries_delivered").register(registry);
        this.failed = Counter.builder("meterline_webhook_attempts_failed").register(registry);
        this.dead = Counter.builder("meterline_webhook_deliveries_dead").register(registry);
    }

    @Scheduled(identity = "webhook-dispatch", every = "${billing.notifications.dispatch-every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void dispatch() {
        int sent;
        do {
            sent = dispatchOnce();
        } while (sent > 0);
    }

    /** One batch of due deliveries; returns how many were attempted. */
    public int dispatchOnce() {
        Date now = new Date();
        List<DeliveryDocument> due = deliveries.due(now, config.concurrency() * 8);
        if (due.isEmpty()) {
            return 0;
        }
        Map<String, WebhookEndpointDocument> byId = new HashMap<>();
        Date claimedUntil = new Date(now.getTime() + config.claimTimeout().toMillis());
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        AtomicInteger attempted = new AtomicInteger();
        for (DeliveryDocument delivery : due) {
            WebhookEndpointDocument endpoint = byId.computeIfAbsent(delivery.endpointId, endpoints::findById);
            if (endpoint == null || !endpoint.enabled || !deliveries.claim(delivery, claimedUntil)) {
                continue;
            }
            attempted.incrementAndGet();
            inFlight.add(send(endpoint, delivery, delivery.attempts + 1));
            if (inFlight.size() >= config.concurrency()) {
                CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
                inFlight.clear();
            }
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
        return attempted.get();
    }

    private CompletableFuture<Void> send(WebhookEndpointDocument endpoint, DeliveryDocument delivery, int attempt) {
        long started = System.currentTimeMillis();
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(endpoint.url))
                    .timeout(config.requestTimeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Meterline-Webhooks/1")
                    .header("Meterline-Event-Id", delivery.eventId)
                    .header("Meterline-Event-Type", delivery.eventType)
                    .header("Meterline-Delivery-Attempt", String.valueOf(attempt))
                    .header(WebhookSignature.HEADER, WebhookSignature.header(endpoint.secret, started / 1000, delivery.payload))
                    .POST(HttpRequest.BodyPublishers.ofString(delivery.payload))
                    .build();
        } catch (IllegalArgumentException e) {
            record(delivery, attempt, started, null, "invalid url: " + e.getMessage());
            return CompletableFuture.completedFuture(null);
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .handle((response, error) -> {
                    if (error != null) {
                        Throwable cause = error.getCause() != null ? error.getCause() : error;
                        record(delivery, attempt, started, null, cause.getClass().getSimpleName() + ": " + cause.getMessage());
                    } else {
                        record(delivery, attempt, started, response.statusCode(), null);
                    }
                    return null;
                });
    }

    private void record(DeliveryDocument delivery, int attempt, long started, Integer statusCode, String error) {
        DeliveryDocument.Attempt entry = new DeliveryDocument.Attempt();
        entry.attempt = attempt;
        entry.at = new Date();
        entry.instance = instance;
        entry.statusCode = statusCode;
        entry.error = error != null ? error : statusCode != null && statusCode >= 300 ? "HTTP " + statusCode : null;
        entry.durationMs = System.currentTimeMillis() - started;
        try {
            if (statusCode != null && statusCode >= 200 && statusCode < 300) {
                deliveries.finish(delivery.id, attempt, entry, DeliveryDocument.DELIVERED, null);
                delivered.increment();
            } else if (attempt >= config.maxAttempts()) {
                deliveries.finish(delivery.id, attempt, entry, DeliveryDocument.DEAD, null);
                dead.increment();
                LOG.warnf("webhook delivery %s is dead after %d attempts: %s", delivery.id, attempt, entry.error);
            } else {
                deliveries.finish(delivery.id, attempt, entry, DeliveryDocument.PENDING,
                        new Date(System.currentTimeMillis() + backoffMillis(attempt)));
                failed.increment();
            }
        } catch (RuntimeException e) {
            // the claim expires and the delivery is attempted again: at least once, with the same id
            LOG.warnf("cannot record webhook attempt of %s: %s", delivery.id, e.toString());
        }
    }

    /** Full jitter: uniform in [0, min(max, base * 2^(attempt-1))], at least 1 ms. */
    long backoffMillis(int attempt) {
        long base = config.backoffBase().toMillis();
        long cap = config.backoffMax().toMillis();
        long ceiling = attempt >= 31 ? cap : Math.min(cap, base << (attempt - 1));
        return 1 + ThreadLocalRandom.current().nextLong(Math.max(1, ceiling));
    }
}
