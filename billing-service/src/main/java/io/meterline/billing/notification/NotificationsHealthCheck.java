package io.meterline.billing.notification;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Says whether outgoing webhooks are sent ({@code live}) or only recorded ({@code dry-run}, with why). Never fails. */
@Readiness
@ApplicationScoped
public class NotificationsHealthCheck implements HealthCheck {

    private final NotificationService notifications;
    private final DeliveryRepository deliveries;

    public NotificationsHealthCheck(NotificationService notifications, DeliveryRepository deliveries) {
        this.notifications = notifications;
        this.deliveries = deliveries;
    }

    @Override
    public HealthCheckResponse call() {
        String mode = notifications.mode();
        return HealthCheckResponse.named("period notifications").up()
                .withData("mode", mode.startsWith("dry-run") ? "dry-run" : "live")
                .withData("detail", mode)
                .withData("deadDeliveries", deliveries.count(DeliveryDocument.DEAD))
                .build();
    }
}
