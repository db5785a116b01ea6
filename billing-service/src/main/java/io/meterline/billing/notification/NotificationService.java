package io.meterline.billing.notification;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.meterline.billing.config.BillingConfig;
import io.meterline.model.UsageEventJson;
import io.meterline.model.period.UsagePeriodNotification;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Turns closed-period notifications into webhook deliveries, one per enabled endpoint subscribed to the type. In
 * dry-run (configured, or no enabled endpoint) it records what would be sent and sends nothing.
 */
@ApplicationScoped
public class NotificationService {

    private static final Logger LOG = Logger.getLogger(NotificationService.class);

    private final WebhookEndpointRepository endpoints;
    private final DeliveryRepository deliveries;
    private final WebhookDispatcher dispatcher;
    private final BillingConfig config;
    private final Counter wouldSend;

    public NotificationService(WebhookEndpointRepository endpoints, DeliveryRepository deliveries,
            WebhookDispatcher dispatcher, BillingConfig config, MeterRegistry registry) {
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.dispatcher = dispatcher;
        this.config = config;
        this.wouldSend = Counter.builder("meterline_webhook_deliveries_dry_run")
                .description("webhook deliveries recorded but not sent (dry-run)").register(registry);
    }

    /** {@code live}, or {@code dry-run} with why. */
    public String mode() {
        List<WebhookEndpointDocument> enabled = endpoints.enabled();
        return config.notifications().dryRun() ? "dry-run (billing.notifications.dry-run=true)"
                : enabled.isEmpty() ? "dry-run (no enabled endpoint)" : "live";
    }

    public boolean dryRun() {
        return !mode().equals("live");
    }

    /** Creates the deliveries of these notifications (idempotent); in dry-run records them as {@code dry_run}. */
    public void fanOut(List<UsagePeriodNotification> notifications) {
        fanOut(notifications, notifications.stream().map(NotificationService::payload).toList());
    }

    /** As {@link #fanOut(List)}, with each notification's JSON already written ({@code payloads}, in the same order). */
    public void fanOut(List<UsagePeriodNotification> notifications, List<String> payloads) {
        if (notifications.isEmpty()) {
            return;
        }
        List<WebhookEndpointDocument> enabled = endpoints.enabled();
        boolean dryRun = config.notifications().dryRun() || enabled.isEmpty();
        String mode = config.notifications().dryRun() ? "dry-run (billing.notifications.dry-run=true)"
                : "dry-run (no enabled endpoint)";
        Date now = new Date();
        // live: created claimed for their first attempt by this instance, which sends them from memory (decision 0095)
        WebhookDispatcher.FirstClaim claim = dryRun ? null : dispatcher.claimAtCreation(notifications.size() * enabled.size());
        List<DeliveryDocument> created = new ArrayList<>();
        for (int i = 0; i < notifications.size(); i++) {
            UsagePeriodNotification notification = notifications.get(i);
            String payload = payloads.get(i);
            for (WebhookEndpointDocument endpoint : enabled) {
                if (endpoint.eventTypes == null || endpoint.eventTypes.contains(notification.type())) {
                    created.add(delivery(endpoint.id, notification, payload, now,
                            dryRun ? DeliveryDocument.DRY_RUN : DeliveryDocument.PENDING, claim));
                }
            }
        }
        List<DeliveryDocument> inserted = deliveries.insertIfAbsent(created);
        if (claim != null) {
            dispatcher.enqueue(inserted);
        }
        if (dryRun) {
            wouldSend.increment(enabled.isEmpty() ? notifications.size() : inserted.size());
            LOG.infof("notifications %s: %d closed periods, %d deliveries recorded, nothing sent", mode,
                    notifications.size(), inserted.size());
        }
    }

    /** The notification's JSON: the webhook body and the {@code usage-periods} record value alike. */
    public static String payload(UsagePeriodNotification notification) {
        try {
            return UsageEventJson.mapper().writeValueAsString(notification);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DeliveryDocument delivery(String endpointId, UsagePeriodNotification notification, String payload,
            Date now, String status, WebhookDispatcher.FirstClaim claim) {
        DeliveryDocument delivery = new DeliveryDocument();
        delivery.id = endpointId + "|" + notification.id();
        delivery.endpointId = endpointId;
        delivery.eventId = notification.id();
        delivery.eventType = notification.type();
        delivery.payload = payload;
        delivery.status = status;
        delivery.attempts = claim == null ? 0 : 1;
        delivery.nextAttemptAt = claim == null ? now : claim.until();
        delivery.claimedBy = claim == null ? null : claim.token();
        delivery.createdAt = now;
        return delivery;
    }
}
