package io.meterline.webhook.scheduler;

import io.meterline.webhook.domain.EventStatus;
import io.meterline.webhook.repository.WebhookEventRepository;
import io.meterline.webhook.service.ProcessingWorker;
import io.meterline.webhook.service.WebhookMetrics;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/** Recounts stored events by status for the gauges. */
@ApplicationScoped
public class GaugeRefreshJob {

    private final WebhookEventRepository events;
    private final WebhookMetrics metrics;
    private final ProcessingWorker worker;
    private volatile long lastRefresh = System.nanoTime();

    public GaugeRefreshJob(WebhookEventRepository events, WebhookMetrics metrics, ProcessingWorker worker) {
        this.events = events;
        this.metrics = metrics;
        this.worker = worker;
    }

    @Scheduled(identity = "webhook-gauges", every = "${webhook.processing.gauge-refresh-every:5s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        if (worker.deferScan(System.nanoTime() - lastRefresh)) {
            return; // the recount scans the events collection: rarer while deliveries arrive (docs/decisions/0150)
        }
        lastRefresh = System.nanoTime();
        java.util.Map<EventStatus, Long> counts = events.countByStatus(WebhookMetrics.QUEUED);
        counts.forEach(metrics::queueDepth);
        metrics.gauges(counts.get(EventStatus.PENDING), counts.get(EventStatus.DEAD));
    }
}
