package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

import static io.meterline.devstack.stripe.StripeStore.applyMetadata;
import static io.meterline.devstack.stripe.StripeStore.diff;
import static io.meterline.devstack.stripe.StripeStore.now;
import static io.meterline.devstack.stripe.StripeStore.putIfPresent;

/** {@code /v1/prices}: one-time, licensed and metered (meter-backed) recurring prices. */
final class Prices implements StripeResource {

    private final StripeStore store;
    private final StripeStore.Table prices;
    private final Products products;
    private final StripeStore.Table meters;

    Prices(StripeStore store, Products products, BillingMeters meters) {
        this.store = store;
        this.prices = store.table("price", "price_");
        this.products = products;
        this.meters = meters.table();
    }

    @Override
    public String path() {
        return "v1/prices";
    }

    /** The stored price; call under the lock. */
    ObjectNode price(String id, String param) {
        return prices.get(id, param);
    }

    @Override
    public JsonNode create(Params p, Ctx ctx) {
        String currency = p.required("currency");
        Params recurringParams = p.params("recurring");
        String billingScheme = p.str("billing_scheme") == null ? "per_unit" : p.str("billing_scheme");
        Long unitAmount = p.longValue("unit_amount");
        String unitAmountDecimal = p.str("unit_amount_decimal");
        if (unitAmount == null && unitAmountDecimal == null && !billingScheme.equals("tiered")) {
            throw StripeError.missing("unit_amount");
        }
        synchronized (store.lock()) {
            String productId = p.str("product");
            if (productId == null) {
                Params productData = p.params("product_data");
                if (productData == null) {
                    throw StripeError.missing("product");
                }
                productId = products.newProduct(productData.required("name"), productData).get("id").asText();
            } else {
                products.table().get(productId, "product");
            }
            ObjectNode price = store.fixture("price");
            price.put("id", Ids.next("price_"));
            price.put("created", now());
            price.put("currency", currency.toLowerCase());
            price.put("billing_scheme", billingScheme);
            price.putNull("custom_unit_amount");
            price.putNull("transform_quantity");
            price.putNull("tiers_mode");
            price.put("product", productId);
            price.putObject("metadata");
            price.putNull("lookup_key");
            price.putNull("nickname");
            putIfPresent(price, p, "lookup_key", "nickname", "tax_behavior");
            if (unitAmount != null) {
                price.put("unit_amount", unitAmount);
                price.put("unit_amount_decimal", String.valueOf(unitAmount));
            } else if (unitAmountDecimal != null) {
                price.putNull("unit_amount");
                price.put("unit_amount_decimal", unitAmountDecimal);
            } else {
                price.putNull("unit_amount");
                price.putNull("unit_amount_decimal");
            }
            if (recurringParams == null) {
                price.putNull("recurring");
                price.put("type", "one_time");
            } else {
                setRecurring(price, recurringParams);
            }
            applyMetadata(price, p);
            prices.put(price);
            store.emit("price.created", price, null, ctx);
            return price.deepCopy();
        }
    }

    private void setRecurring(ObjectNode price, Params recurringParams) {
        ObjectNode recurring = price.putObject("recurring");
        String interval = recurringParams.str("interval");
        if (interval == null) {
            throw StripeError.missing("recurring[interval]");
        }
        recurring.put("interval", interval);
        Long count = recurringParams.longValue("interval_count");
        recurring.put("interval_count", count == null ? 1 : count);
        String usageType = recurringParams.str("usage_type") == null ? "licensed" : recurringParams.str("usage_type");
        if (!usageType.equals("licensed") && !usageType.equals("metered")) {
            throw StripeError.invalid("Invalid recurring[usage_type]: must be one of licensed or metered", "recurring[usage_type]");
        }
        String meter = recurringParams.str("meter");
        if (usageType.equals("metered")) {
            if (meter == null) {
                throw new StripeError(400, "invalid_request_error", "parameter_missing",
                        "Prices with `usage_type=metered` must be backed by a meter: specify `recurring[meter]`.",
                        "recurring[meter]");
            }
            meters.get(meter, "recurring[meter]");
        } else if (meter != null) {
            throw StripeError.invalid("`recurring[meter]` can only be set when `recurring[usage_type]` is `metered`.",
                    "recurring[meter]");
        }
        if (meter == null) {
            recurring.putNull("meter");
        } else {
            recurring.put("meter", meter);
        }
        recurring.put("usage_type", usageType);
        recurring.putNull("trial_period_days");
        price.put("type", "recurring");
    }

    @Override
    public JsonNode retrieve(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            return prices.get(id, "id").deepCopy();
        }
    }

    @Override
    public JsonNode update(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            ObjectNode price = prices.get(id, "id");
            store.update("price.updated", price, ctx, changed -> {
                putIfPresent(changed, p, "lookup_key", "nickname");
                if (p.has("active")) {
                    changed.put("active", p.bool("active"));
                }
                applyMetadata(changed, p);
            });
            return price.deepCopy();
        }
    }

    @Override
    public JsonNode list(Params p) {
        String product = p.str("product");
        Boolean active = p.bool("active");
        String type = p.str("type");
        List<String> lookupKeys = p.strings("lookup_keys");
        synchronized (store.lock()) {
            return StripeStore.list(prices.newestFirst(), "/v1/prices", p, x ->
                    (product == null || product.equals(x.get("product").asText()))
                            && (active == null || active == x.get("active").asBoolean())
                            && (type == null || type.equals(x.get("type").asText()))
                            && (lookupKeys.isEmpty() || lookupKeys.contains(x.path("lookup_key").asText(null))));
        }
    }
}
