package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import static io.meterline.devstack.stripe.StripeStore.NODES;
import static io.meterline.devstack.stripe.StripeStore.applyMetadata;
import static io.meterline.devstack.stripe.StripeStore.diff;
import static io.meterline.devstack.stripe.StripeStore.now;
import static io.meterline.devstack.stripe.StripeStore.putIfPresent;

/** {@code /v1/products}; prices create one inline from {@code product_data}. */
final class Products implements StripeResource {

    private final StripeStore store;
    private final StripeStore.Table products;

    Products(StripeStore store) {
        this.store = store;
        this.products = store.table("product", "prod_");
    }

    @Override
    public String path() {
        return "v1/products";
    }

    StripeStore.Table table() {
        return products;
    }

    /** A new stored product; call under the lock. {@code p} may be null (a price's {@code product_data}). */
    ObjectNode newProduct(String name, Params p) {
        ObjectNode product = NODES.objectNode();
        String id = Ids.next("prod_");
        product.put("id", id);
        product.put("object", "product");
        product.put("active", true);
        product.put("created", now());
        product.putNull("default_price");
        product.putNull("description");
        product.putArray("images");
        product.put("livemode", false);
        product.putArray("marketing_features");
        product.putObject("metadata");
        product.put("name", name);
        product.putNull("package_dimensions");
        product.putNull("shippable");
        product.putNull("statement_descriptor");
        product.putNull("tax_code");
        product.put("type", "service");
        product.putNull("unit_label");
        product.put("updated", now());
        product.putNull("url");
        if (p != null) {
            putIfPresent(product, p, "description", "unit_label");
            applyMetadata(product, p);
        }
        products.put(product);
        return product;
    }

    @Override
    public JsonNode create(Params p, Ctx ctx) {
        String name = p.required("name");
        synchronized (store.lock()) {
            ObjectNode product = newProduct(name, p);
            store.emit("product.created", product, null, ctx);
            return product.deepCopy();
        }
    }

    @Override
    public JsonNode retrieve(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            return products.get(id, "id").deepCopy();
        }
    }

    @Override
    public JsonNode update(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            ObjectNode product = products.get(id, "id");
            store.update("product.updated", product, ctx, changed -> {
                putIfPresent(changed, p, "name", "description", "unit_label");
                applyMetadata(changed, p);
            });
            return product.deepCopy();
        }
    }

    @Override
    public JsonNode list(Params p) {
        synchronized (store.lock()) {
            return StripeStore.list(products.newestFirst(), "/v1/products", p, x -> true);
        }
    }
}
