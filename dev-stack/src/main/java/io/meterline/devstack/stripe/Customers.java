package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import static io.meterline.devstack.stripe.StripeStore.applyMetadata;
import static io.meterline.devstack.stripe.StripeStore.createdMatches;
import static io.meterline.devstack.stripe.StripeStore.diff;
import static io.meterline.devstack.stripe.StripeStore.now;
import static io.meterline.devstack.stripe.StripeStore.putIfPresent;

/** {@code /v1/customers}. A deleted customer is retrievable as {@code {deleted: true}}, like Stripe's. */
final class Customers implements StripeResource {

    private final StripeStore store;
    private final StripeStore.Table customers;
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();
    private final List<BiConsumer<String, Ctx>> beforeDelete = new CopyOnWriteArrayList<>();

    Customers(StripeStore store) {
        this.store = store;
        this.customers = store.table("customer", "cus_");
    }

    @Override
    public String path() {
        return "v1/customers";
    }

    StripeStore.Table table() {
        return customers;
    }

    /** Runs {@code action(customerId, ctx)} under the lock before a customer is deleted (Stripe cancels its subscriptions). */
    void beforeDelete(BiConsumer<String, Ctx> action) {
        beforeDelete.add(action);
    }

    @Override
    public JsonNode create(Params p, Ctx ctx) {
        ObjectNode c = store.fixture("customer");
        c.put("id", Ids.next("cus_"));
        c.put("created", now());
        c.putNull("address");
        c.putNull("currency");
        c.putNull("discount");
        c.putNull("email");
        c.putNull("name");
        c.putNull("phone");
        c.putNull("shipping");
        c.putObject("metadata");
        c.put("invoice_prefix", Ids.random(8).toUpperCase());
        putIfPresent(c, p, "email", "name", "description", "phone");
        applyMetadata(c, p);
        PaymentIntents.applyInvoiceSettings(c, p);
        synchronized (store.lock()) {
            customers.put(c);
            store.emit("customer.created", c, null, ctx);
            return c.deepCopy();
        }
    }

    @Override
    public JsonNode retrieve(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            if (deleted.contains(id)) {
                return deletedCustomer(id);
            }
            return customers.get(id, "id").deepCopy();
        }
    }

    @Override
    public JsonNode update(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            ObjectNode c = customers.get(id, "id");
            store.update("customer.updated", c, ctx, changed -> {
                putIfPresent(changed, p, "email", "name", "description", "phone");
                applyMetadata(changed, p);
                PaymentIntents.applyInvoiceSettings(changed, p);
            });
            return c.deepCopy();
        }
    }

    @Override
    public JsonNode delete(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            ObjectNode c = customers.get(id, "id");
            beforeDelete.forEach(action -> action.accept(id, ctx));
            customers.remove(id);
            deleted.add(id);
            store.emit("customer.deleted", c, null, ctx);
            return deletedCustomer(id);
        }
    }

    @Override
    public JsonNode list(Params p) {
        String email = p.str("email");
        synchronized (store.lock()) {
            return StripeStore.list(customers.newestFirst(), "/v1/customers", p,
                    c -> (email == null || email.equals(c.path("email").asText(null))) && createdMatches(p, c.get("created").asLong()));
        }
    }

    @Override
    public void clear() {
        deleted.clear();
    }

    private ObjectNode deletedCustomer(String id) {
        ObjectNode deletedCustomer = store.fixture("deleted_customer");
        deletedCustomer.put("id", id);
        return deletedCustomer;
    }
}
