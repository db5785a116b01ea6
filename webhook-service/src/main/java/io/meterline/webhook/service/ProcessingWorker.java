package io.meterline.webhook.service;

import io.meterline.webhook.config.WebhookConfig;
import io.meterline.webhook.domain.Backoff;
import io.meterline.webhook.domain.ProcessingOutcome;
import io.meterline.webhook.domain.ReceivedEvent;
import io.meterline.webhook.domain.StoredEvent;
import io.meterline.webhook.repository.WebhookEventRepository;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Processes stored events at least once, in rounds (docs/decisions/0150). An event is triggered in-process right
 * after it is stored (and when its retry is due); a periodic sweep finds whatever those triggers missed (a full
 * queue, a restart, a worker that crashed while holding a lease). A worker takes up to {@code batch} triggered
 * events per round, claims them (the ones just stored with one bulk compare-and-set on their version 0, others one
 * by one), applies them ({@link EventProcessor#applyAll}) and marks the applied ones processed with one bulk
 * compare-and-set on the claimed versions. A claim is atomic per event, so two workers (or instances) never
 * process one event at the same time, and a crash mid-round leaves leases that expire.
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
    private final int batch;
    /** Identifies this process's claims: a lease held by another (crashed) owner is left until it expires. */
    private final String owner = "worker-" + UUID.randomUUID();
    private final AtomicLong rounds = new AtomicLong();
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    // bounded: when it is full a trigger is dropped, the event stays pending in Mongo and the sweep finds it
    private final BlockingQueue<Work> queue = new LinkedBlockingQueue<>(50_000);
    private final ExecutorService workers;
    private final ScheduledExecutorService timers;
    private volatile boolean running = true;
    private final long scanWhileBusyNanos;
    /** Set when this process stored a delivery, or dropped a trigger, since the last sweep tick. */
    private final AtomicBoolean storedSinceSweep = new AtomicBoolean();
    private final AtomicBoolean droppedSinceSweep = new AtomicBoolean();
    private volatile long lastScan;
    private volatile long lastStored = System.nanoTime() - TimeUnit.DAYS.toNanos(1);

    /** A triggered event: one this process has just stored (its content known, never touched), or an id that is due. */
    private sealed interface Work permits Fresh, Due {
        String id();
    }

    private record Fresh(StoredEvent event) implements Work {
        public String id() {
            return event.id();
        }
    }

    private record Due(String id) implements Work {
    }

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
        this.batch = Math.max(1, processing.batch());
        this.scanWhileBusyNanos = processing.scanWhileBusyEvery().toNanos();
        this.lastScan = System.nanoTime() - scanWhileBusyNanos; // the first sweep scans whatever the traffic
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(processing.workers(),
                r -> daemon(r, "webhook-worker-" + threads.incrementAndGet()));
        for (int i = 0; i < processing.workers(); i++) {
            workers.execute(this::work);
        }
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "webhook-retry-timer"));
    }

    /** Asks for {@code eventId} to be processed soon; a no-op if it is already queued. */
    public void trigger(String eventId) {
        enqueue(new Due(eventId));
    }

    /** Like {@link #trigger(String)} for an event this process has just stored: claimed without a read, in bulk. */
    public void triggerNew(ReceivedEvent event, String payload) {
        storedSinceSweep.set(true);
        lastStored = System.nanoTime();
        enqueue(new Fresh(new StoredEvent(event.id(), event.type(), event.created(), payload, 0, 0L)));
    }

    private void enqueue(Work work) {
        if (queued.add(work.id()) && !queue.offer(work)) {
            queued.remove(work.id());
            droppedSinceSweep.set(true);
        }
    }

    /**
     * Triggers every due event the in-process triggers may have missed; returns how many were found. While
     * deliveries keep arriving it scans only every {@code scan-while-busy-every} (or after a dropped trigger):
     * what it finds then is a restart's leftovers or another instance's expired leases, which can wait that long.
     */
    public int sweep() {
        long now = System.nanoTime();
        boolean busy = storedSinceSweep.getAndSet(false);
        if (busy && !droppedSinceSweep.getAndSet(false) && now - lastScan < scanWhileBusyNanos) {
            return 0;
        }
        lastScan = now;
        var due = events.dueIds(Instant.now(), sweepBatch);
        due.forEach(this::trigger);
        return due.size();
    }

    /**
     * Whether a collection scan last done {@code sinceLastScanNanos} ago should wait: deliveries are arriving (one
     * was stored in the last second) and the scan is not yet {@code scan-while-busy-every} old.
     */
    public boolean deferScan(long sinceLastScanNanos) {
        return System.nanoTime() - lastStored < TimeUnit.SECONDS.toNanos(1) && sinceLastScanNanos < scanWhileBusyNanos;
    }

    private void work() {
        List<Work> round = new ArrayList<>(batch);
        while (running) {
            try {
                round.add(queue.take());
                queue.drainTo(round, batch - 1);
                round.forEach(work -> queued.remove(work.id()));
                processRound(round);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // claims not completed expire and the sweep retries them: at least once still holds
                LOG.warnf(e, "a processing round of %d events failed; the sweep will retry them", round.size());
            } finally {
                round.clear();
            }
        }
    }

    void processRound(List<Work> round) {
        ProcessingRoundEvent jfr = new ProcessingRoundEvent();
        jfr.begin();
        try {
            jfr.claimed = processRoundClaimed(round);
        } finally {
            if (jfr.shouldCommit()) {
                jfr.triggered = round.size();
                jfr.commit();
            }
        }
    }

    /** Returns how many of the round's events it claimed. */
    private int processRoundClaimed(List<Work> round) {
        String token = owner + "/" + rounds.incrementAndGet();
        Instant now = Instant.now();
        List<StoredEvent> fresh = new ArrayList<>();
        List<String> due = new ArrayList<>();
        round.forEach(work -> {
            if (work instanceof Fresh f) {
                fresh.add(f.event());
            } else {
                due.add(work.id());
            }
        });
        List<StoredEvent> claimed = new ArrayList<>(events.claimNewBatch(fresh, now, lease, token));
        for (String id : due) {
            try {
                events.claim(id, now, lease, token).ifPresent(claimed::add);
            } catch (RuntimeException e) {
                LOG.warnf(e, "could not claim event %s; the sweep will retry", id);
            }
        }
        if (claimed.isEmpty()) {
            return 0; // processed already, not due yet, or held by another worker
        }
        long start = System.nanoTime();
        List<EventProcessor.Result> results = processor.applyAll(claimed);
        long perEvent = (System.nanoTime() - start) / claimed.size();
        List<WebhookEventRepository.Completed> completed = new ArrayList<>(results.size());
        Map<String, ProcessingOutcome> outcomes = new HashMap<>();
        for (EventProcessor.Result result : results) {
            metrics.processingTime(perEvent);
            if (result instanceof EventProcessor.Applied applied) {
                completed.add(new WebhookEventRepository.Completed(applied.event().id(), applied.event().version(),
                        applied.outcome()));
                outcomes.put(applied.event().id(), applied.outcome());
            } else if (result instanceof EventProcessor.Failed failed) {
                failed(failed.event(), failed.error());
            }
        }
        for (String id : events.markProcessedBatch(completed, Instant.now(), token)) {
            metrics.processed(outcomes.get(id));
        }
        return claimed.size();
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
        running = false;
        timers.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
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
