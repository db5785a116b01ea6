package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.meterline.devstack.stripe.StripeStore.diff;

/** {@code /v1/subscription_items}: the items embedded in {@link Subscriptions}, served on their own path. */
final class SubscriptionItems implements StripeResource {

    private static final Set<String> LIVE_STATUSES = Set.of("active", "trialing", "past_due", "unpaid", "incomplete", "paused");

    private final StripeStore store;
    private final Subscriptions subscriptions;

    SubscriptionItems(StripeStore store, Subscriptions subscriptions) {
        this.store = store;
        this.subscriptions = subscriptions;
    }

    @Override
    public String path() {
        return "v1/subscription_items";
    }

    @Override
    public JsonNode create(Params p, Ctx ctx) {
        String subscriptionId = p.required("subscription");
        synchronized (store.lock()) {
            ObjectNode sub = subscriptions.subscription(subscriptionId, "subscription");
            if (!LIVE_STATUSES.contains(sub.get("status").asText())) {
                throw StripeError.invalid("This subscription is canceled and cannot be modified.", "subscription");
            }
            ArrayNode data = items(sub);
            ObjectNode item = subscriptions.newItem(subscriptionId, p, "", data);
            store.update("customer.subscription.updated", sub, ctx, changed -> {
                data.add(item);
                ((ObjectNode) changed.get("items")).put("total_count", data.size());
            });
            subscriptions.itemAdded(item.get("id").asText(), subscriptionId);
            return item.deepCopy();
        }
    }

    @Override
    public JsonNode retrieve(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            return item(id).deepCopy();
        }
    }

    @Override
    public JsonNode list(Params p) {
        String subscriptionId = p.required("subscription");
        synchronized (store.lock()) {
            ObjectNode sub = subscriptions.subscription(subscriptionId, "subscription");
            List<ObjectNode> items = new ArrayList<>();
            items(sub).forEach(i -> items.add((ObjectNode) i));
            return StripeStore.list(items, "/v1/subscription_items", p, x -> true);
        }
    }

    @Override
    public JsonNode update(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            ObjectNode item = item(id);
            ObjectNode sub = subscriptions.subscriptionOfItem(id);
            store.update("customer.subscription.updated", sub, ctx,
                    changed -> subscriptions.updateItemFields(item, p, "", items(changed)));
            return item.deepCopy();
        }
    }

    @Override
    public JsonNode delete(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            ObjectNode sub = subscriptions.subscriptionOfItem(id);
            store.update("customer.subscription.updated", sub, ctx, changed -> {
                ArrayNode data = items(changed);
                data.remove(Subscriptions.itemIndex(data, id, "id"));
                ((ObjectNode) changed.get("items")).put("total_count", data.size());
            });
            subscriptions.itemRemoved(id);
            ObjectNode deleted = store.fixture("deleted_subscription_item");
            deleted.put("id", id);
            return deleted;
        }
    }

    private ObjectNode item(String id) {
        ArrayNode data = items(subscriptions.subscriptionOfItem(id));
        return (ObjectNode) data.get(Subscriptions.itemIndex(data, id, "id"));
    }

    private static ArrayNode items(ObjectNode sub) {
        return (ArrayNode) sub.get("items").get("data");
    }
}
