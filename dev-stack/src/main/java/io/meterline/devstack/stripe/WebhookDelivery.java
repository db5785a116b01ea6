package io.meterline.devstack.stripe;

import java.time.Instant;

/** One webhook delivery attempt by the stand-in; {@code status} is -1 when the endpoint could not be reached. */
public record WebhookDelivery(String eventId, String eventType, String url, int attempt, int status, Instant at) {

    public boolean delivered() {
        return status >= 200 && status < 300;
    }
}
