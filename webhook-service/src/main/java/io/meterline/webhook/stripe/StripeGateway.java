package io.meterline.webhook.stripe;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * What webhook-service asks of Stripe. The only door to stripe-java's client: the rest of the service sees
 * JSON strings and {@link StripeGatewayException}.
 */
public interface StripeGateway {

    /** Whether an API key is configured; without one every call below throws {@link StripeGatewayException}. */
    boolean configured();

    /** The {@code event_name} of a billing meter, cached (Stripe never changes a meter's event name). */
    Optional<String> meterEventName(String meterId);

    /** The current subscription as Stripe's JSON, empty when Stripe does not know it. */
    Optional<String> subscriptionJson(String subscriptionId);

    /** The current customer as Stripe's JSON (a deleted customer is {@code {"id":…,"deleted":true}}), empty when unknown. */
    Optional<String> customerJson(String customerId);

    /** A v2 event with its data (thin deliveries carry none), empty when unknown. */
    Optional<String> v2EventJson(String eventId);

    /** Every event created at or after {@code createdGte} (epoch seconds), newest first, as raw JSON. */
    void listEventsSince(long createdGte, Consumer<ListedEvent> sink);

    /** Every subscription Stripe lists by default (all but canceled and expired ones), paginated. */
    void listSubscriptions(Consumer<ListedSubscription> sink);

    /** One listed subscription. */
    record ListedSubscription(String id, String customerId, String status, long created) {
    }

    /** One listed event. */
    record ListedEvent(String id, String json) {
    }
}
