package io.meterline.webhook.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.UUID;

/**
 * Webhook payloads built from Stripe's own example objects ({@code stripe/fixtures.json}, copied from
 * {@code ../shared/stripe/fixtures.json}: stripe/openapi fixtures3.json, MIT), with ids, times and the fields a
 * test cares about replaced.
 */
public final class StripeFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode RESOURCES;

    static {
        try (InputStream in = StripeFixtures.class.getResourceAsStream("/stripe/fixtures.json")) {
            RESOURCES = JSON.readTree(in).path("resources");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private StripeFixtures() {
    }

    public static String id(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    public static ObjectNode resource(String name) {
        return RESOURCES.path(name).deepCopy();
    }

    /** An event envelope (Stripe's example event) around {@code object}. */
    public static ObjectNode event(String eventId, String type, long created, JsonNode object) {
        ObjectNode event = resource("event");
        event.put("id", eventId);
        event.put("type", type);
        event.put("created", created);
        event.put("api_version", "2025-03-31.basil");
        ObjectNode data = JSON.createObjectNode();
        data.set("object", object);
        event.set("data", data);
        return event;
    }

    public static ObjectNode customer(String customerId, String subject, String organization) {
        ObjectNode customer = resource("customer");
        customer.put("id", customerId);
        customer.put("email", customerId + "@example.com");
        ObjectNode metadata = JSON.createObjectNode();
        if (subject != null) {
            metadata.put("meterline_subject", subject);
        }
        if (organization != null) {
            metadata.put("meterline_organization", organization);
        }
        customer.set("metadata", metadata);
        return customer;
    }

    /**
     * A subscription in the newer API shape (periods on the item, not the subscription), with one item whose price
     * is metered by {@code meterId} (licensed when null).
     */
    public static ObjectNode subscription(String subscriptionId, String customerId, String status, String itemId,
                                          String priceId, String meterId, long periodStart, long periodEnd) {
        ObjectNode subscription = resource("subscription");
        subscription.put("id", subscriptionId);
        subscription.put("customer", customerId);
        subscription.put("status", status);
        subscription.put("cancel_at_period_end", false);
        subscription.putNull("cancel_at");
        subscription.putNull("canceled_at");
        subscription.putNull("ended_at");
        subscription.remove("current_period_start");
        subscription.remove("current_period_end");
        ObjectNode item = (ObjectNode) subscription.path("items").path("data").get(0);
        item.put("id", itemId);
        item.put("subscription", subscriptionId);
        item.put("current_period_start", periodStart);
        item.put("current_period_end", periodEnd);
        ObjectNode price = (ObjectNode) item.path("price");
        price.put("id", priceId);
        ObjectNode recurring = (ObjectNode) price.path("recurring");
        if (meterId == null) {
            recurring.putNull("meter");
            recurring.put("usage_type", "licensed");
        } else {
            recurring.put("meter", meterId);
            recurring.put("usage_type", "metered");
        }
        ArrayNode data = (ArrayNode) subscription.path("items").path("data");
        data.removeAll();
        data.add(item);
        return subscription;
    }

    public static ObjectNode invoice(String invoiceId, String customerId, String status) {
        ObjectNode invoice = resource("invoice");
        invoice.put("id", invoiceId);
        invoice.put("customer", customerId);
        invoice.put("status", status);
        return invoice;
    }

    public static ObjectNode checkoutSession(String sessionId, String customerId, String clientReferenceId) {
        ObjectNode session = resource("checkout.session");
        session.put("id", sessionId);
        session.put("customer", customerId);
        session.put("client_reference_id", clientReferenceId);
        session.put("mode", "subscription");
        session.put("status", "complete");
        return session;
    }

    /** A v2 ("thin") event as Stripe sends it for meter error reports, here with its data inline. */
    public static ObjectNode meterErrorReport(String eventId, String meterId, String isoCreated) {
        ObjectNode event = JSON.createObjectNode();
        event.put("id", eventId);
        event.put("object", "v2.core.event");
        event.put("type", "v1.billing.meter.error_report_triggered");
        event.put("livemode", false);
        event.put("created", isoCreated);
        event.set("related_object", JSON.valueToTree(Map.of("id", meterId, "type", "billing.meter",
                "url", "/v1/billing/meters/" + meterId)));
        event.set("data", JSON.valueToTree(Map.of(
                "developer_message_summary", "2 meter events could not be processed",
                "validation_start", isoCreated,
                "validation_end", isoCreated,
                "reason", Map.of("error_count", 2, "error_types", java.util.List.of(Map.of(
                        "code", "meter_event_customer_not_found",
                        "error_count", 2,
                        "sample_errors", java.util.List.of(Map.of(
                                "error_message", "No customer cus_missing",
                                "request", Map.of("id", "req_1", "identifier", "ml-123")))))))));
        return event;
    }

    public static String json(JsonNode node) {
        return node.toString();
    }
}
