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
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends due webhook deliveries: claims each (compare-and-set, so two instances never send the same attempt),
 * signs the body with the endpoint's secret, and records the outcome: delivered on 2xx, otherwise retried with
 * exponential backoff and full jitter, {@code dead} after {@code max-attempts}. A delivery whose instance died is
 * attempted again after the claim timeout, with the same id. First attempts of deliveries this instance created are
 * claimed in the insert that creates them and sent from memory: no claim write, no query (decision 0095).
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
    /** Deliveries created claimed by this instance, waiting for their first attempt (bounded by FRESH_LIMIT). */
    private final java.util.concurrent.ConcurrentLinkedQueue<DeliveryDocument> fresh =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final boolean dispatching;
    /** At most this many queued first attempts (their payloads are held in memory); more are created unclaimed. */
    static final int FRESH_LIMIT = 10_000;
    /** A first attempt is started only if it is answered (or timed out) this long before its claim expires. */
    private static final long CLAIM_MARGIN_MS = 1_000;

    public WebhookDispatcher(DeliveryRepository deliveries, WebhookEndpointRepository endpoints, BillingConfig config,
            ManagedExecutor executor, MeterRegistry registry) {
        this.deliveries = deliveries;
        this.endpoints = endpoints;
        this.config = config.notifications();
        if (this.config.claimTimeout().compareTo(this.config.requestTimeout()) <= 0) {
            // otherwise another instance could take over a delivery whose request is still waiting for its answer
            throw new IllegalStateException("billing.notifications.claim-timeout must be longer than request-timeout");
        }
        this.dispatching = !"off".equalsIgnoreCase(this.config.dispatchEvery().trim());
        this.http = HttpClient.newBuilder().connectTimeout(this.config.requestTimeout()).executor(executor).build();
        this.delivered = Counter.builder("meterline_webhook_deliveries_delivered").register(registry);
        this.failed = Counter.builder("meterline_webhook_attempts_failed").register(registry);
        this.dead = Counter.builder("meterline_webhook_deliveries_dead").register(registry);
    }

    @Scheduled(identity = "webhook-dispatch", every = "${billing.notifications.dispatch-every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void dispatch() {
        int sent;
        long lastDue = 0;
        do {
            sent = sendFresh();
            // the due query scans every delivery on the embedded dev server: while first attempts keep coming (a
            // large close), retries are looked for once a second rather than after every chunk
            if (sent == 0 || System.currentTimeMillis() - lastDue >= 1000) {
                sent += dispatchOnce();
                lastDue = System.currentTimeMillis();
            }
        } while (sent > 0);
    }

    /** A claim for first attempts taken when the deliveries are created (decision 0095). */
    public record FirstClaim(String token, Date until) {
    }

    /**
     * A claim for the first attempt of {@code count} deliveries about to be created, so that this instance sends them
     * without a claim round trip; null (create them unclaimed, for any instance) when dispatch is off here or the
     * local queue is full. The claim lasts {@code claim-timeout}, like any claim.
     */
    public FirstClaim claimAtCreation(int count) {
        if (!dispatching || fresh.size() + count > FRESH_LIMIT) {
            return null;
        }
        return new FirstClaim(instance + "-" + UUID.randomUUID(), new Date(System.currentTimeMillis()
                + config.claimTimeout().toMillis()));
    }

    /** Queues deliveries this instance created under a {@link #claimAtCreation} claim, for their first attempt. */
    public void enqueue(List<DeliveryDocument> created) {
        fresh.addAll(created);
    }

    /**
     * Sends the deliveries created claimed by this instance, in chunks of {@code concurrency}; returns how many were
     * attempted. One too late to be answered before its claim expires is left to expire: any instance then takes it
     * as its next attempt, so no attempt is ever sent twice.
     */
    public int sendFresh() {
        Map<String, WebhookEndpointDocument> byId = new HashMap<>();
        int attempted = 0;
        while (true) {
            long answeredBy = System.currentTimeMillis() + config.requestTimeout().toMillis() + CLAIM_MARGIN_MS;
            List<DeliveryDocument> chunk = new ArrayList<>(config.concurrency());
            DeliveryDocument next;
            while (chunk.size() < config.concurrency() && (next = fresh.poll()) != null) {
                WebhookEndpointDocument endpoint = byId.computeIfAbsent(next.endpointId, endpoints::findById);
                if (next.nextAttemptAt.getTime() > answeredBy && endpoint != null && endpoint.enabled) {
                    chunk.add(next);
                }
            }
            if (chunk.isEmpty()) {
                return attempted;
            }
            attempted += sendAll(chunk, byId);
        }
    }

    /**
     * One batch of due deliveries; returns how many were attempted. They go in chunks of {@code concurrency}: each
     * chunk is claimed in one bulk compare-and-set right before it is sent, and its outcomes are recorded in one bulk
     * write once all its requests answered — three round trips per chunk instead of two per delivery.
     */
    public int dispatchOnce() {
        Date now = new Date();
        List<DeliveryDocument> due = deliveries.due(now, Math.max(1000, config.concurrency() * 8));
        if (due.isEmpty()) {
            return 0;
        }
        Map<String, WebhookEndpointDocument> byId = new HashMap<>();
        List<DeliveryDocument> sendable = new ArrayList<>(due.size());
        for (DeliveryDocument delivery : due) {
            WebhookEndpointDocument endpoint = byId.computeIfAbsent(delivery.endpointId, endpoints::findById);
            if (endpoint != null && endpoint.enabled) {
                sendable.add(delivery);
            }
        }
        int attempted = 0;
        for (int i = 0; i < sendable.size(); i += config.concurrency()) {
            List<DeliveryDocument> chunk = sendable.subList(i, Math.min(sendable.size(), i + config.concurrency()));
            Date claimedUntil = new Date(System.currentTimeMillis() + config.claimTimeout().toMillis());
            List<DeliveryDocument> claimed = deliveries.claimAll(chunk, claimedUntil, instance + "-" + UUID.randomUUID());
            claimed.forEach(delivery -> delivery.attempts++);
            attempted += sendAll(claimed, byId);
        }
        return attempted;
    }

    /** Sends claimed deliveries at once (each as attempt {@code attempts}) and records their outcomes in one bulk. */
    private int sendAll(List<DeliveryDocument> claimed, Map<String, WebhookEndpointDocument> byId) {
        List<DeliveryRepository.Outcome> outcomes = Collections.synchronizedList(new ArrayList<>(claimed.size()));
        List<CompletableFuture<Void>> inFlight = new ArrayList<>(claimed.size());
        for (DeliveryDocument delivery : claimed) {
            inFlight.add(send(byId.get(delivery.endpointId), delivery, delivery.attempts, outcomes));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
        try {
            deliveries.finishAll(outcomes);
        } catch (RuntimeException e) {
            // the claims expire and the deliveries are attempted again: at least once, with the same id
            LOG.warnf("cannot record %d webhook attempts: %s", outcomes.size(), e.toString());
        }
        return claimed.size();
    }

    private CompletableFuture<Void> send(WebhookEndpointDocument endpoint, DeliveryDocument delivery, int attempt,
            List<DeliveryRepository.Outcome> outcomes) {
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
            outcomes.add(outcome(delivery, attempt, started, null, "invalid url: " + e.getMessage()));
            return CompletableFuture.completedFuture(null);
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .handle((response, error) -> {
                    if (error != null) {
                        Throwable cause = error.getCause() != null ? error.getCause() : error;
                        outcomes.add(outcome(delivery, attempt, started, null,
                                cause.getClass().getSimpleName() + ": " + cause.getMessage()));
                    } else {
                        outcomes.add(outcome(delivery, attempt, started, response.statusCode(), null));
                    }
                    return null;
                });
    }

    private DeliveryRepository.Outcome outcome(DeliveryDocument delivery, int attempt, long started, Integer statusCode,
            String error) {
        DeliveryDocument.Attempt entry = new DeliveryDocument.Attempt();
        entry.attempt = attempt;
        entry.at = new Date();
        entry.instance = instance;
        entry.statusCode = statusCode;
        entry.error = error != null ? error : statusCode != null && statusCode >= 300 ? "HTTP " + statusCode : null;
        entry.durationMs = System.currentTimeMillis() - started;
        if (statusCode != null && statusCode >= 200 && statusCode < 300) {
            delivered.increment();
            return new DeliveryRepository.Outcome(delivery.id, attempt, entry, DeliveryDocument.DELIVERED, null);
        }
        if (attempt >= config.maxAttempts()) {
            dead.increment();
            LOG.warnf("webhook delivery %s is dead after %d attempts: %s", delivery.id, attempt, entry.error);
            return new DeliveryRepository.Outcome(delivery.id, attempt, entry, DeliveryDocument.DEAD, null);
        }
        failed.increment();
        return new DeliveryRepository.Outcome(delivery.id, attempt, entry, DeliveryDocument.PENDING,
                new Date(System.currentTimeMillis() + backoffMillis(attempt)));
    }

    /** Full jitter: uniform in [0, min(max, base * 2^(attempt-1))], at least 1 ms. */
    long backoffMillis(int attempt) {
        long base = config.backoffBase().toMillis();
        long cap = config.backoffMax().toMillis();
        long ceiling = attempt >= 31 ? cap : Math.min(cap, base << (attempt - 1));
        return 1 + ThreadLocalRandom.current().nextLong(Math.max(1, ceiling));
    }
}
