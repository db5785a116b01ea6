package io.meterline.webhook.scheduler;

import io.meterline.webhook.domain.EventStatus;
import io.meterline.webhook.repository.WebhookEventRepository;
import io.meterline.webhook.service.WebhookMetrics;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/** Recounts stored events by status for the gauges. */
@ApplicationScoped
public class GaugeRefreshJob {

    private final WebhookEventRepository events;
    private final WebhookMetrics metrics;

    public GaugeRefreshJob(WebhookEventRepository events, WebhookMetrics metrics) {
        this.events = events;
        this.metrics = metrics;
    }

    @Scheduled(identity = "webhook-gauges", every = "${webhook.processing.gauge-refresh-every:5s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        java.util.Map<EventStatus, Long> counts = events.countByStatus(WebhookMetrics.QUEUED);
        counts.forEach(metrics::queueDepth);
        metrics.gauges(counts.get(EventStatus.PENDING), counts.get(EventStatus.DEAD));
    }
}
