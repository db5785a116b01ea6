package io.meterline.webhook.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.billing.SubscriptionItemDocument;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads Stripe objects (as JSON trees, API-version tolerant) into the shared Mongo shapes. Works on the JSON of
 * the stored delivery rather than stripe-java models so that an event stored under one API version is read the
 * same way after an SDK upgrade.
 */
public final class StripeObjects {

    /** Metadata key naming the Meterline subject a Stripe customer pays for. */
    public static final String SUBJECT_KEY = "meterline_subject";
    /** Metadata key naming the Meterline organization a Stripe customer pays for. */
    public static final String ORGANIZATION_KEY = "meterline_organization";
    /** Price metadata key naming the meter event name, used when the meter cannot be retrieved from Stripe. */
    public static final String PRICE_EVENT_NAME_KEY = "meterline_meter_event_name";

    private StripeObjects() {
    }

    /** The id of an expandable field: either the id string or the expanded object's {@code id}. */
    public static String idOf(JsonNode field) {
        if (field == null || field.isNull() || field.isMissingNode()) {
            return null;
        }
        return field.isTextual() ? field.asText() : text(field, "id");
    }

    public static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    public static Long longOrNull(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() || !value.canConvertToLong() ? null : value.asLong();
    }

    public static String metadata(JsonNode object, String key) {
        JsonNode metadata = object == null ? null : object.get("metadata");
        String value = text(metadata, key);
        return value == null || value.isBlank() ? null : value;
    }

    /** A customer document from a customer object; event bookkeeping fields are left to the caller. */
    public static CustomerDocument customer(JsonNode object, boolean deleted) {
        CustomerDocument doc = new CustomerDocument();
        doc.id = requireId(object, "customer");
        doc.email = text(object, "email");
        doc.subject = metadata(object, SUBJECT_KEY);
        doc.organization = metadata(object, ORGANIZATION_KEY);
        doc.deleted = deleted || object.path("deleted").asBoolean(false);
        return doc;
    }

    /**
     * A subscription document from a subscription object. Newer API versions (2025-03-31.basil on) carry
     * {@code current_period_start/end} on each item instead of the subscription: both are read.
     * {@code meterEventName} is filled from price metadata only; the caller resolves the rest.
     */
    public static SubscriptionDocument subscription(JsonNode object) {
        SubscriptionDocument doc = new SubscriptionDocument();
        doc.id = requireId(object, "subscription");
        doc.customerId = idOf(object.get("customer"));
        doc.status = text(object, "status");
        doc.cancelAtPeriodEnd = object.path("cancel_at_period_end").asBoolean(false);
        doc.canceledAt = longOrNull(object, "canceled_at");
        doc.cancelAt = longOrNull(object, "cancel_at");
        Long start = longOrNull(object, "current_period_start");
        Long end = longOrNull(object, "current_period_end");
        List<SubscriptionItemDocument> items = new ArrayList<>();
        for (JsonNode item : object.path("items").path("data")) {
            SubscriptionItemDocument itemDoc = new SubscriptionItemDocument();
            itemDoc.id = text(item, "id");
            JsonNode price = item.path("price");
            itemDoc.priceId = idOf(item.get("price"));
            itemDoc.meterId = text(price.path("recurring"), "meter");
            itemDoc.meterEventName = metadata(price, PRICE_EVENT_NAME_KEY);
            items.add(itemDoc);
            if (start == null) {
                start = longOrNull(item, "current_period_start");
            }
            if (end == null) {
                end = longOrNull(item, "current_period_end");
            }
        }
        doc.items = items;
        doc.currentPeriodStart = start == null ? 0 : start;
        doc.currentPeriodEnd = end == null ? 0 : end;
        return doc;
    }

    /** The subscription an invoice belongs to, in either API version's place for it. */
    public static String invoiceSubscription(JsonNode invoice) {
        String direct = idOf(invoice.get("subscription"));
        return direct != null ? direct
                : idOf(invoice.path("parent").path("subscription_details").get("subscription"));
    }

    private static String requireId(JsonNode object, String kind) {
        String id = text(object, "id");
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("the " + kind + " object has no id");
        }
        return id;
    }
}
