package io.meterline.webhook.service;

import io.meterline.webhook.config.WebhookConfig;
import io.meterline.webhook.domain.Backoff;
import io.meterline.webhook.domain.ProcessingOutcome;
import io.meterline.webhook.domain.StoredEvent;
import io.meterline.webhook.repository.WebhookEventRepository;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Processes stored events at least once. An event is triggered in-process right after it is stored (and when its
 * retry is due); a periodic sweep finds whatever those triggers missed (a full queue, a restart, a worker that
 * crashed while holding a lease). Either way the event is first claimed with one atomic findOneAndUpdate, so two
 * triggers never process it at the same time, and a crash mid-processing leaves a lease that expires.
 */
@ApplicationScoped
public class ProcessingWorker {

    private static final Logger LOG = Logger.getLogger(ProcessingWorker.class);

    private final WebhookEventRepository events;
    private final EventProcessor processor;
    private final WebhookMetrics metrics;
    private final Backoff backoff;
    private final int maxAttempts;
    private final Duration lease;
    private final int sweepBatch;
    /** Identifies this process's claims: a lease held by another (crashed) owner is left until it expires. */
    private final String owner = "worker-" + UUID.randomUUID();
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor executor;
    private final ScheduledExecutorService timers;

    public ProcessingWorker(WebhookEventRepository events, EventProcessor processor, WebhookMetrics metrics,
                            WebhookConfig config) {
        this.events = events;
        this.processor = processor;
        this.metrics = metrics;
        WebhookConfig.Processing processing = config.processing();
        this.backoff = new Backoff(processing.initialBackoff(), processing.backoffMultiplier(), processing.maxBackoff());
        this.maxAttempts = processing.maxAttempts();
        this.lease = processing.lease();
        this.sweepBatch = processing.sweepBatch();
        AtomicInteger threads = new AtomicInteger();
        // bounded queue: when it is full a trigger is dropped, the event stays pending in Mongo and the sweep finds it
        this.executor = new ThreadPoolExecutor(processing.workers(), processing.workers(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(50_000), r -> daemon(r, "webhook-worker-" + threads.incrementAndGet()),
                new ThreadPoolExecutor.AbortPolicy());
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "webhook-retry-timer"));
    }

    /** Asks for {@code eventId} to be processed soon; a no-op if it is already queued. */
    public void trigger(String eventId) {
        trigger(eventId, false);
    }

    /** Like {@link #trigger(String)} for an event this process has just stored (claimed without a read). */
    public void triggerNew(String eventId) {
        trigger(eventId, true);
    }

    private void trigger(String eventId, boolean justStored) {
        if (!queued.add(eventId)) {
            return;
        }
        try {
            executor.execute(() -> {
                queued.remove(eventId);
                processOne(eventId, justStored);
            });
        } catch (RejectedExecutionException e) {
            queued.remove(eventId);
        }
    }

    /** Triggers every due event the in-process triggers may have missed; returns how many were found. */
    public int sweep() {
        var due = events.dueIds(Instant.now(), sweepBatch);
        due.forEach(this::trigger);
        return due.size();
    }

    void processOne(String eventId, boolean justStored) {
        Optional<StoredEvent> claimed;
        try {
            claimed = justStored ? events.claimNew(eventId, Instant.now(), lease, owner)
                    : events.claim(eventId, Instant.now(), lease, owner);
        } catch (RuntimeException e) {
            LOG.warnf(e, "could not claim event %s; the sweep will retry", eventId);
            return;
        }
        if (claimed.isEmpty()) {
            return; // processed already, not due yet, or held by another worker
        }
        StoredEvent event = claimed.get();
        long start = System.nanoTime();
        try {
            ProcessingOutcome outcome = processor.apply(event);
            metrics.processingTime(System.nanoTime() - start);
            if (events.markProcessed(event.id(), event.version(), outcome, Instant.now())) {
                metrics.processed(outcome);
            }
        } catch (RuntimeException e) {
            metrics.processingTime(System.nanoTime() - start);
            failed(event, e);
        }
    }

    private void failed(StoredEvent event, RuntimeException error) {
        String reason = error.getClass().getSimpleName() + ": " + error.getMessage();
        try {
            if (event.attempts() >= maxAttempts) {
                if (events.markDead(event.id(), event.version(), reason, Instant.now())) {
                    metrics.deadLettered();
                    LOG.errorf("event %s (%s) is dead after %d attempts: %s", event.id(), event.type(), event.attempts(), reason);
                }
                return;
            }
            Duration delay = backoff.delayAfter(event.attempts());
            if (events.markRetry(event.id(), event.version(), Instant.now().plus(delay), reason)) {
                metrics.retried();
                LOG.warnf("event %s (%s) attempt %d failed, retry in %d ms: %s", event.id(), event.type(),
                        event.attempts(), delay.toMillis(), reason);
                timers.schedule(() -> trigger(event.id()), delay.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            // the lease expires and the sweep retries: at least once still holds
            LOG.warnf(e, "could not record the failure of event %s", event.id());
        }
    }

    @PreDestroy
    void stop() {
        timers.shutdownNow();
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
