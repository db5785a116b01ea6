package io.meterline.webhook.service;

import io.meterline.webhook.domain.EventStatus;
import io.meterline.webhook.domain.ProcessingOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Business metrics ({@code /q/metrics}): {@code webhook_events_received_total}, {@code _invalid_signature_total},
 * {@code _duplicate_total}, {@code _processed_total{outcome}}, {@code _retried_total}, {@code _dead_lettered_total},
 * {@code webhook_order_ties_total{resolved}}, {@code webhook_meter_error_reports_total}; gauges
 * {@code webhook_events_pending} and {@code webhook_events_dead} (recounted periodically: counting on every scrape
 * would scan the collection on servers without secondary indexes).
 */
// created at start-up, so every series exists (at zero) before the first webhook arrives
@Startup
@ApplicationScoped
public class WebhookMetrics {

    private final Counter received;
    private final Counter invalidSignature;
    private final Counter duplicate;
    private final Map<ProcessingOutcome, Counter> processed = new EnumMap<>(ProcessingOutcome.class);
    private final Counter retried;
    private final Counter deadLettered;
    private final Counter tiesResolved;
    private final Counter tiesUnresolved;
    private final Counter meterErrorReports;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong dead = new AtomicLong();

    /** Statuses that make up the queue (processed events are history, not queue). */
    public static final java.util.List<EventStatus> QUEUED = java.util.List.of(EventStatus.PENDING, EventStatus.PROCESSING,
            EventStatus.DEAD);
    private final Map<EventStatus, AtomicLong> queue = new EnumMap<>(EventStatus.class);
    private final Timer processing;

    public WebhookMetrics(MeterRegistry registry) {
        received = registry.counter("webhook.events.received");
        invalidSignature = registry.counter("webhook.events.invalid_signature");
        duplicate = registry.counter("webhook.events.duplicate");
        for (ProcessingOutcome outcome : ProcessingOutcome.values()) {
            processed.put(outcome, registry.counter("webhook.events.processed", "outcome", outcome.wire()));
        }
        retried = registry.counter("webhook.events.retried");
        deadLettered = registry.counter("webhook.events.dead_lettered");
        tiesResolved = registry.counter("webhook.order_ties", "resolved", "true");
        tiesUnresolved = registry.counter("webhook.order_ties", "resolved", "false");
        meterErrorReports = registry.counter("webhook.meter_error_reports");
        Gauge.builder("webhook.events.pending", pending, AtomicLong::get).register(registry);
        Gauge.builder("webhook.events.dead", dead, AtomicLong::get).register(registry);
        for (EventStatus status : QUEUED) {
            AtomicLong depth = new AtomicLong();
            queue.put(status, depth);
            Gauge.builder("webhook.events.queue", depth, AtomicLong::get).tag("status", status.wire())
                    .description("Stored Stripe events waiting, in processing or dead").register(registry);
        }
        processing = Timer.builder("webhook.events.processing")
                .description("Time to apply one stored event (claim to outcome), successful or not").register(registry);
    }

    /** Records how long applying one event took. */
    public void processingTime(long nanos) {
        processing.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Events stored per status, recounted periodically. */
    public void queueDepth(EventStatus status, long depth) {
        queue.get(status).set(depth);
    }

    public void received() {
        received.increment();
    }

    public void invalidSignature() {
        invalidSignature.increment();
    }

    public void duplicate() {
        duplicate.increment();
    }

    public void processed(ProcessingOutcome outcome) {
        processed.get(outcome).increment();
    }

    public void retried() {
        retried.increment();
    }

    public void deadLettered() {
        deadLettered.increment();
    }

    public void orderTie(boolean resolvedByStripe) {
        (resolvedByStripe ? tiesResolved : tiesUnresolved).increment();
    }

    public void meterErrorReport() {
        meterErrorReports.increment();
    }

    public void gauges(long pendingNow, long deadNow) {
        pending.set(pendingNow);
        dead.set(deadNow);
    }
}
