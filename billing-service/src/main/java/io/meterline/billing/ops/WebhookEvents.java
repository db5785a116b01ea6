package io.meterline.billing.ops;

import java.time.Instant;
import java.util.List;

/** webhook-service's stored Stripe events that need an operator: dead, or pending after a failed attempt. */
public interface WebhookEvents {

    record Event(String id, String type, String status, int attempts, String lastError, Instant nextAttemptAt) {
    }

    boolean configured();

    /** Dead and retrying events, with the operator's token (webhook-service checks the admin role itself). */
    List<Event> troubled(String token);

    void replay(String token, String id);
}
