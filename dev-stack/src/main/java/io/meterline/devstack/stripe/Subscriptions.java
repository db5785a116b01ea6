package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.meterline.devstack.stripe.StripeStore.DAY;
import static io.meterline.devstack.stripe.StripeStore.applyMetadata;
import static io.meterline.devstack.stripe.StripeStore.createdMatches;
import static io.meterline.devstack.stripe.StripeStore.diff;
import static io.meterline.devstack.stripe.StripeStore.now;
import static io.meterline.devstack.stripe.StripeStore.putIfPresent;

/**
 * {@code /v1/subscriptions} with their embedded items (which {@link SubscriptionItems} also serves on their own
 * path); {@code DELETE} cancels. Deleting a customer cancels its subscriptions first, as Stripe does.
 */
final class Subscriptions implements StripeResource {

    private final StripeStore store;
    private final StripeStore.Table subscriptions;
    private final StripeStore.Table customers;
    private final Prices prices;
    private final Map<String, String> itemToSubscription = new LinkedHashMap<>();

    Subscriptions(StripeStore store, Customers customers, Prices prices) {
        this.store = store;
        this.subscriptions = store.table("subscription", "sub_");
        this.customers = customers.table();
        this.prices = prices;
        customers.beforeDelete(this::cancelAllOf);
    }

    @Override
    public String path() {
        return "v1/subscriptions";
    }

    /** The stored subscription; call under the lock. */
    ObjectNode subscription(String id, String param) {
        return subscriptions.get(id, param);
    }

    @Override
    public JsonNode create(Params p, Ctx ctx) {
        String customerId = p.required("customer");
        List<Params> items = p.paramsList("items");
        if (items.isEmpty()) {
            throw StripeError.missing("items");
        }
        synchronized (store.lock()) {
            customers.get(customerId, "customer");
            long now = now();
            ObjectNode sub = store.fixture("subscription");
            String id = Ids.next("sub_");
            sub.put("id", id);
            sub.put("customer", customerId);
            sub.put("created", now);
            sub.put("start_date", now);
            sub.put("billing_cycle_anchor", now);
            for (String absent : List.of("billing_cycle_anchor_config", "cancel_at", "canceled_at", "ended_at",
                    "next_pending_invoice_item_invoice", "pause_collection", "pending_invoice_item_interval",
                    "pending_update", "transfer_data", "trial_end", "trial_start", "billing_thresholds", "description")) {
                sub.putNull(absent);
            }
            sub.put("cancel_at_period_end", false);
            sub.putArray("billing_schedules");
            sub.putObject("metadata");
            putIfPresent(sub, p, "description");
            ((ObjectNode) sub.get("cancellation_details")).putNull("reason");
            sub.put("status", "active");
            Long trialDays = p.longValue("trial_period_days");
            Long trialEnd = "now".equals(p.str("trial_end")) ? null : p.longValue("trial_end");
            if (trialDays != null && trialDays > 0) {
                trialEnd = now + trialDays * DAY;
            }
            if (trialEnd != null && trialEnd > now) {
                sub.put("status", "trialing");
                sub.put("trial_start", now);
                sub.put("trial_end", trialEnd);
            }
            if (Boolean.TRUE.equals(p.bool("cancel_at_period_end"))) {
                sub.put("cancel_at_period_end", true);
            }
            applyMetadata(sub, p);
            ObjectNode itemList = (ObjectNode) sub.get("items");
            ArrayNode data = itemList.putArray("data");
            itemList.put("url", "/v1/subscription_items?subscription=" + id);
            itemList.put("has_more", false);
            for (int i = 0; i < items.size(); i++) {
                data.add(newItem(id, items.get(i), "items[" + i + "]", data));
            }
            itemList.put("total_count", data.size());
            for (JsonNode item : data) {
                itemToSubscription.put(item.get("id").asText(), id);
            }
            subscriptions.put(sub);
            store.emit("customer.subscription.created", sub, null, ctx);
            return sub.deepCopy();
        }
    }

    @Override
    public JsonNode retrieve(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            return subscriptions.get(id, "id").deepCopy();
        }
    }

    @Override
    public JsonNode list(Params p) {
        String customer = p.str("customer");
        String status = p.str("status");
        String price = p.str("price");
        synchronized (store.lock()) {
            return StripeStore.list(subscriptions.newestFirst(), "/v1/subscriptions", p, sub -> {
                String s = sub.get("status").asText();
                boolean statusOk = status == null ? !s.equals("canceled") && !s.equals("incomplete_expired")
                        : status.equals("all") || status.equals(s)
                        || (status.equals("ended") && (s.equals("canceled") || s.equals("incomplete_expired")));
                boolean priceOk = price == null;
                if (!priceOk) {
                    for (JsonNode item : sub.get("items").get("data")) {
                        priceOk |= item.get("price").get("id").asText().equals(price);
                    }
                }
                return statusOk && priceOk && (customer == null || customer.equals(sub.get("customer").asText()))
                        && createdMatches(p, sub.get("created").asLong());
            });
        }
    }

    @Override
    public JsonNode update(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            ObjectNode sub = subscriptions.get(id, "id");
            if (sub.get("status").asText().equals("canceled")) {
                throw StripeError.invalid("A canceled subscription can only update its cancellation_details and metadata.",
                        null);
            }
            store.update("customer.subscription.updated", sub, ctx, changed -> applyUpdate(id, changed, p));
            return sub.deepCopy();
        }
    }

    /** The changes of {@code POST /v1/subscriptions/{id}}: items added, updated or deleted, and the top-level fields. */
    private void applyUpdate(String id, ObjectNode sub, Params p) {
        ArrayNode data = (ArrayNode) sub.get("items").get("data");
        List<Params> items = p.paramsList("items");
        for (int i = 0; i < items.size(); i++) {
            Params itemParams = items.get(i);
            String prefix = "items[" + i + "]";
            String itemId = itemParams.str("id");
            if (itemId == null) {
                ObjectNode item = newItem(id, itemParams, prefix, data);
                data.add(item);
                itemToSubscription.put(item.get("id").asText(), id);
                continue;
            }
            int index = itemIndex(data, itemId, prefix + "[id]");
            if (Boolean.TRUE.equals(itemParams.bool("deleted"))) {
                data.remove(index);
                itemToSubscription.remove(itemId);
                continue;
            }
            updateItemFields((ObjectNode) data.get(index), itemParams, prefix, data);
        }
        ((ObjectNode) sub.get("items")).put("total_count", data.size());
        if (p.has("cancel_at_period_end")) {
            sub.put("cancel_at_period_end", Boolean.TRUE.equals(p.bool("cancel_at_period_end")));
        }
        if ("now".equals(p.str("trial_end")) && sub.get("status").asText().equals("trialing")) {
            sub.put("status", "active");
            sub.put("trial_end", now());
        }
        putIfPresent(sub, p, "description");
        applyMetadata(sub, p);
    }

    /** {@code DELETE /v1/subscriptions/{id}} cancels at once. */
    @Override
    public JsonNode delete(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            ObjectNode sub = subscriptions.get(id, "id");
            if (sub.get("status").asText().equals("canceled")) {
                throw StripeError.invalid("resource_missing", "No such subscription: '" + id + "'", "id");
            }
            cancel(sub, ctx);
            return sub.deepCopy();
        }
    }

    private void cancelAllOf(String customerId, Ctx ctx) {
        for (ObjectNode sub : subscriptions.values()) {
            if (sub.get("customer").asText().equals(customerId) && !sub.get("status").asText().equals("canceled")) {
                cancel(sub, ctx);
            }
        }
    }

    private void cancel(ObjectNode sub, Ctx ctx) {
        long now = now();
        sub.put("status", "canceled");
        sub.put("canceled_at", now);
        sub.put("ended_at", now);
        ((ObjectNode) sub.get("cancellation_details")).put("reason", "cancellation_requested");
        store.emit("customer.subscription.deleted", sub, null, ctx);
    }

    /** Stand-in only: moves a subscription to any status (past_due, unpaid…) as Stripe's billing would. */
    ObjectNode setStatus(String id, String status) {
        synchronized (store.lock()) {
            ObjectNode sub = subscriptions.get(id, "id");
            if (status.equals("canceled")) {
                sub.put("status", status);
                sub.put("canceled_at", now());
                sub.put("ended_at", now());
                store.emit("customer.subscription.deleted", sub, null, Ctx.NONE);
            } else {
                store.update("customer.subscription.updated", sub, Ctx.NONE, changed -> changed.put("status", status));
            }
            return sub.deepCopy();
        }
    }

    // ---------------------------------------------------------------- items (embedded; call under the lock)

    /** The subscription holding an item, or Stripe's "No such subscription item". */
    ObjectNode subscriptionOfItem(String itemId) {
        String subscriptionId = itemToSubscription.get(itemId);
        if (subscriptionId == null) {
            throw StripeError.noSuch("subscription item", itemId, "id");
        }
        return subscriptions.find(subscriptionId);
    }

    void itemAdded(String itemId, String subscriptionId) {
        itemToSubscription.put(itemId, subscriptionId);
    }

    void itemRemoved(String itemId) {
        itemToSubscription.remove(itemId);
    }

    @Override
    public void clear() {
        itemToSubscription.clear();
    }

    /** A subscription item for {@code price}; Stripe refuses {@code quantity} on metered prices. */
    ObjectNode newItem(String subscriptionId, Params p, String paramPrefix, ArrayNode existing) {
        String priceParam = paramPrefix.isEmpty() ? "price" : paramPrefix + "[price]";
        String priceId = p.str("price");
        if (priceId == null) {
            throw StripeError.missing(priceParam);
        }
        ObjectNode price = prices.price(priceId, priceParam);
        refuseSecondItemFor(priceId, null, existing, priceParam);
        boolean metered = price.path("recurring").path("usage_type").asText().equals("metered");
        Long quantity = p.longValue("quantity");
        if (metered && quantity != null) {
            throw quantityOnMetered(paramPrefix);
        }
        if (price.get("recurring").isNull()) {
            throw StripeError.invalid("The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.",
                    priceParam);
        }
        long now = now();
        ObjectNode item = store.fixture("subscription_item");
        item.put("id", Ids.next("si_"));
        item.put("created", now);
        item.put("subscription", subscriptionId);
        item.putObject("metadata");
        item.putNull("billing_thresholds");
        applyMetadata(item, p);
        setItemPrice(item, price);
        if (metered) {
            item.remove("quantity");
        } else {
            item.put("quantity", quantity == null ? 1 : quantity);
        }
        item.put("current_period_start", now);
        item.put("current_period_end", periodEnd(now, price.get("recurring")));
        return item;
    }

    void updateItemFields(ObjectNode item, Params p, String prefix, ArrayNode siblings) {
        String priceId = p.str("price");
        if (priceId != null && !priceId.equals(item.get("price").get("id").asText())) {
            String priceParam = prefix.isEmpty() ? "price" : prefix + "[price]";
            ObjectNode price = prices.price(priceId, priceParam);
            refuseSecondItemFor(priceId, item, siblings, priceParam);
            setItemPrice(item, price);
        }
        boolean metered = item.get("price").path("recurring").path("usage_type").asText().equals("metered");
        Long quantity = p.longValue("quantity");
        if (quantity != null) {
            if (metered) {
                throw quantityOnMetered(prefix);
            }
            item.put("quantity", quantity);
        } else if (metered) {
            item.remove("quantity");
        } else if (!item.has("quantity")) {
            item.put("quantity", 1);
        }
        applyMetadata(item, p);
    }

    static int itemIndex(ArrayNode data, String itemId, String param) {
        for (int i = 0; i < data.size(); i++) {
            if (data.get(i).get("id").asText().equals(itemId)) {
                return i;
            }
        }
        throw StripeError.noSuch("subscription item", itemId, param);
    }

    private static void refuseSecondItemFor(String priceId, ObjectNode self, ArrayNode siblings, String param) {
        for (JsonNode other : siblings) {
            if (other != self && other.get("price").get("id").asText().equals(priceId)) {
                throw StripeError.invalid("Cannot add multiple subscription items with the same plan: " + priceId, param);
            }
        }
    }

    private static StripeError quantityOnMetered(String prefix) {
        return StripeError.invalid("Quantity should not be specified where usage_type is `metered`. Remove quantity from `"
                + (prefix.isEmpty() ? "quantity" : prefix) + "`.", prefix.isEmpty() ? "quantity" : prefix + "[quantity]");
    }

    private static void setItemPrice(ObjectNode item, ObjectNode price) {
        item.set("price", price.deepCopy());
        JsonNode recurring = price.get("recurring");
        ObjectNode plan = (ObjectNode) item.get("plan");
        plan.put("id", price.get("id").asText());
        plan.put("active", price.get("active").asBoolean());
        plan.set("amount", price.get("unit_amount"));
        plan.set("amount_decimal", price.get("unit_amount_decimal"));
        plan.put("billing_scheme", price.get("billing_scheme").asText());
        plan.put("created", price.get("created").asLong());
        plan.put("currency", price.get("currency").asText());
        plan.put("interval", recurring.get("interval").asText());
        plan.put("interval_count", recurring.get("interval_count").asLong());
        plan.put("livemode", false);
        plan.set("metadata", price.get("metadata"));
        plan.set("meter", recurring.get("meter"));
        plan.set("nickname", price.get("nickname"));
        plan.set("product", price.get("product"));
        plan.putNull("tiers_mode");
        plan.putNull("transform_usage");
        plan.put("usage_type", recurring.get("usage_type").asText());
    }

    private static long periodEnd(long start, JsonNode recurring) {
        ZonedDateTime from = Instant.ofEpochSecond(start).atZone(ZoneOffset.UTC);
        long count = recurring.path("interval_count").asLong(1);
        ZonedDateTime to = switch (recurring.path("interval").asText("month")) {
            case "day" -> from.plusDays(count);
            case "week" -> from.plusWeeks(count);
            case "year" -> from.plusYears(count);
            default -> from.plusMonths(count);
        };
        return to.toEpochSecond();
    }
}
