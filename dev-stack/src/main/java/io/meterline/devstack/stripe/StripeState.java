package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The stand-in's objects and Stripe's rules for them. Object changes (customers, prices, subscriptions…) are
 * rare and serialized on one lock; meter events, the hot path, use concurrent maps only.
 */
final class StripeState {

    static final String DEFAULT_API_VERSION = "2026-07-29.dahlia";
    private static final long DAY = 86_400;
    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?\\d{1,18}");
    private static final Set<String> LIVE_STATUSES = Set.of("active", "trialing", "past_due", "unpaid", "incomplete", "paused");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Who caused a change: goes into the event's {@code request} field. */
    record Ctx(String requestId, String idempotencyKey) {
        static final Ctx NONE = new Ctx(null, null);
    }

    /** One accepted meter event. Canceled by a meter event adjustment. */
    static final class MeterEvent {
        final String identifier;
        final String eventName;
        final String customer;
        final long value;
        final long timestamp;
        final long created;
        final long sequence;
        final Map<String, String> payload;
        volatile boolean canceled;

        MeterEvent(String identifier, String eventName, String customer, long value, long timestamp, long created,
                   long sequence, Map<String, String> payload) {
            this.identifier = identifier;
            this.eventName = eventName;
            this.customer = customer;
            this.value = value;
            this.timestamp = timestamp;
            this.created = created;
            this.sequence = sequence;
            this.payload = payload;
        }
    }

    private final ObjectMapper json = new ObjectMapper();
    private final JsonNode fixtures;
    private final WebhookSender webhooks;
    private final Object lock = new Object();

    private final Map<String, ObjectNode> customers = new LinkedHashMap<>();
    private final Set<String> deletedCustomers = ConcurrentHashMap.newKeySet();
    private final Map<String, ObjectNode> products = new LinkedHashMap<>();
    private final Map<String, ObjectNode> prices = new LinkedHashMap<>();
    private final Map<String, ObjectNode> meters = new LinkedHashMap<>();
    private final Map<String, ObjectNode> subscriptions = new LinkedHashMap<>();
    private final Map<String, String> itemToSubscription = new LinkedHashMap<>();
    private final Map<String, ObjectNode> webhookEndpoints = new LinkedHashMap<>();
    private final List<ObjectNode> events = new ArrayList<>();

    private final Map<String, ObjectNode> activeMeterByEventName = new ConcurrentHashMap<>();
    private final Map<String, MeterEvent> meterEventsByIdentifier = new ConcurrentHashMap<>();
    private final Map<String, Queue<MeterEvent>> meterEventsByNameAndCustomer = new ConcurrentHashMap<>();
    private final AtomicLong meterEventSequence = new AtomicLong();
    private volatile String apiVersion = DEFAULT_API_VERSION;

    StripeState(WebhookSender webhooks) {
        this.webhooks = webhooks;
        try (InputStream in = StripeState.class.getResourceAsStream("fixtures.json")) {
            this.fixtures = json.readTree(Objects.requireNonNull(in, "fixtures.json")).get("resources");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ObjectMapper mapper() {
        return json;
    }

    void apiVersion(String version) {
        if (version != null && !version.isBlank()) {
            apiVersion = version;
        }
    }

    void clear() {
        synchronized (lock) {
            customers.clear();
            deletedCustomers.clear();
            products.clear();
            prices.clear();
            meters.clear();
            subscriptions.clear();
            itemToSubscription.clear();
            events.clear();
            activeMeterByEventName.clear();
            meterEventsByIdentifier.clear();
            meterEventsByNameAndCustomer.clear();
        }
    }

    private ObjectNode fixture(String name) {
        return fixtures.get(name).deepCopy();
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    // ---------------------------------------------------------------- routing

    JsonNode handle(String method, String path, Params p, Ctx ctx) {
        String[] s = path.substring(1).split("/");
        if (s.length < 2 || !s[0].equals("v1")) {
            throw notFound(method, path);
        }
        String resource = s[1];
        int n = s.length;
        JsonNode result = switch (resource) {
            case "customers" -> route(method, path, s, p, ctx, "customer",
                    this::createCustomer, this::listCustomers, this::retrieveCustomer, this::updateCustomer, this::deleteCustomer);
            case "products" -> route(method, path, s, p, ctx, "product",
                    this::createProduct, this::listProducts, this::retrieveProduct, this::updateProduct, null);
            case "prices" -> route(method, path, s, p, ctx, "price",
                    this::createPrice, this::listPrices, this::retrievePrice, this::updatePrice, null);
            case "subscriptions" -> route(method, path, s, p, ctx, "subscription",
                    this::createSubscription, this::listSubscriptions, this::retrieveSubscription, this::updateSubscription,
                    this::cancelSubscription);
            case "subscription_items" -> route(method, path, s, p, ctx, "subscription item",
                    this::createItem, this::listItems, this::retrieveItem, this::updateItem, this::deleteItem);
            case "webhook_endpoints" -> route(method, path, s, p, ctx, "webhook endpoint",
                    this::createWebhookEndpoint, this::listWebhookEndpoints, this::retrieveWebhookEndpoint, null,
                    this::deleteWebhookEndpoint);
            case "events" -> route(method, path, s, p, ctx, "event", null, this::listEvents, this::retrieveEvent, null, null);
            case "billing" -> {
                if (n >= 3 && s[2].equals("meter_events") && n == 3 && method.equals("POST")) {
                    yield createMeterEvent(p);
                }
                if (n == 3 && s[2].equals("meter_event_adjustments") && method.equals("POST")) {
                    yield createMeterEventAdjustment(p);
                }
                if (n >= 3 && s[2].equals("meters")) {
                    if (n == 5 && s[4].equals("event_summaries") && method.equals("GET")) {
                        yield eventSummaries(s[3], p);
                    }
                    if (n == 5 && method.equals("POST") && (s[4].equals("deactivate") || s[4].equals("reactivate"))) {
                        yield setMeterStatus(s[3], s[4].equals("deactivate") ? "inactive" : "active", ctx);
                    }
                    String[] rest = new String[n - 1];
                    rest[0] = "v1";
                    System.arraycopy(s, 2, rest, 1, n - 2);
                    yield route(method, path, rest, p, ctx, "billing meter",
                            this::createMeter, this::listMeters, this::retrieveMeter, this::updateMeter, null);
                }
                throw notFound(method, path);
            }
            default -> throw notFound(method, path);
        };
        List<String> expand = p.strings("expand");
        if (!expand.isEmpty() && result instanceof ObjectNode object) {
            synchronized (lock) {
                for (String e : expand) {
                    expand(object, e.split("\\."), 0);
                }
            }
        }
        return result;
    }

    private interface Create {
        JsonNode apply(Params p, Ctx ctx);
    }

    private interface Lst {
        JsonNode apply(Params p);
    }

    private interface One {
        JsonNode apply(String id, Params p, Ctx ctx);
    }

    private JsonNode route(String method, String path, String[] s, Params p, Ctx ctx, String what,
                           Create create, Lst list, One retrieve, One update, One delete) {
        if (s.length == 2) {
            if (method.equals("POST") && create != null) {
                return create.apply(p, ctx);
            }
            if (method.equals("GET") && list != null) {
                return list.apply(p);
            }
        } else if (s.length == 3) {
            One op = switch (method) {
                case "GET" -> retrieve;
                case "POST" -> update;
                case "DELETE" -> delete;
                default -> null;
            };
            if (op != null) {
                return op.apply(s[2], p, ctx);
            }
        }
        throw notFound(method, path);
    }

    private static StripeError notFound(String method, String path) {
        return new StripeError(404, "invalid_request_error", null,
                "Unrecognized request URL (" + method + ": " + path + "). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
                null);
    }

    // ---------------------------------------------------------------- events

    private void emit(String type, ObjectNode object, ObjectNode previous, Ctx ctx) {
        ObjectNode event = fixture("event");
        String id = Ids.next("evt_");
        event.put("id", id);
        event.put("api_version", apiVersion);
        event.put("created", now());
        ObjectNode data = NODES.objectNode();
        data.set("object", object.deepCopy());
        if (previous != null && !previous.isEmpty()) {
            data.set("previous_attributes", previous);
        }
        event.set("data", data);
        event.put("livemode", false);
        event.put("pending_webhooks", 1);
        ObjectNode request = NODES.objectNode();
        request.put("id", ctx.requestId());
        request.put("idempotency_key", ctx.idempotencyKey());
        event.set("request", request);
        event.put("type", type);
        events.add(event);
        webhooks.send(id, type, event.toString());
    }

    /** Top-level fields that changed, with their old values: Stripe's {@code previous_attributes}. */
    private static ObjectNode diff(ObjectNode before, ObjectNode after) {
        ObjectNode previous = NODES.objectNode();
        before.fieldNames().forEachRemaining(f -> {
            if (!Objects.equals(before.get(f), after.get(f))) {
                previous.set(f, before.get(f));
            }
        });
        return previous;
    }

    private JsonNode listEvents(Params p) {
        String type = p.str("type");
        List<String> types = p.strings("types");
        Predicate<ObjectNode> filter = e -> (type == null || matchesType(type, e.get("type").asText()))
                && (types.isEmpty() || types.contains(e.get("type").asText()))
                && createdMatches(p, e.get("created").asLong());
        synchronized (lock) {
            return list(newestFirst(events), "/v1/events", p, filter);
        }
    }

    private static boolean matchesType(String pattern, String type) {
        return pattern.endsWith("*") ? type.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(type);
    }

    private static boolean createdMatches(Params p, long created) {
        Params range = p.params("created");
        if (range == null) {
            Long exact = p.has("created") ? p.longValue("created") : null;
            return exact == null || exact == created;
        }
        Long gte = range.longValue("gte");
        Long gt = range.longValue("gt");
        Long lte = range.longValue("lte");
        Long lt = range.longValue("lt");
        return (gte == null || created >= gte) && (gt == null || created > gt)
                && (lte == null || created <= lte) && (lt == null || created < lt);
    }

    private JsonNode retrieveEvent(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            return events.stream().filter(e -> e.get("id").asText().equals(id)).findFirst()
                    .orElseThrow(() -> StripeError.noSuch("event", id, "id"));
        }
    }

    // ---------------------------------------------------------------- lists and expansion

    private static <T> List<T> newestFirst(java.util.Collection<T> values) {
        List<T> list = new ArrayList<>(values);
        java.util.Collections.reverse(list);
        return list;
    }

    private ObjectNode list(List<? extends JsonNode> ordered, String url, Params p, Predicate<ObjectNode> filter) {
        Long limitParam = p.longValue("limit");
        long limit = limitParam == null ? 10 : limitParam;
        if (limit < 1 || limit > 100) {
            throw StripeError.invalid("Invalid integer: " + limit + ". Must be between 1 and 100.", "limit");
        }
        List<ObjectNode> matching = new ArrayList<>();
        for (JsonNode node : ordered) {
            if (filter.test((ObjectNode) node)) {
                matching.add((ObjectNode) node);
            }
        }
        int from = 0;
        int to = matching.size();
        String after = p.str("starting_after");
        String before = p.str("ending_before");
        if (after != null) {
            from = indexOf(matching, after, "starting_after") + 1;
            to = (int) Math.min(matching.size(), from + limit);
        } else if (before != null) {
            to = indexOf(matching, before, "ending_before");
            from = (int) Math.max(0, to - limit);
        } else {
            to = (int) Math.min(matching.size(), limit);
        }
        ObjectNode list = NODES.objectNode();
        list.put("object", "list");
        ArrayNode data = list.putArray("data");
        for (int i = from; i < to; i++) {
            data.add(matching.get(i).deepCopy());
        }
        list.put("has_more", after == null && before != null ? from > 0 : to < matching.size());
        list.put("url", url);
        return list;
    }

    private static int indexOf(List<ObjectNode> nodes, String id, String param) {
        for (int i = 0; i < nodes.size(); i++) {
            if (id.equals(nodes.get(i).path("id").asText())) {
                return i;
            }
        }
        throw StripeError.invalid("Invalid " + param + ": no object with id " + id + " in this list", param);
    }

    private void expand(ObjectNode node, String[] path, int at) {
        if (at >= path.length) {
            return;
        }
        JsonNode child = node.get(path[at]);
        if (child == null) {
            return;
        }
        if (child.isTextual() && at == path.length - 1) {
            ObjectNode found = findById(child.asText());
            if (found != null) {
                node.set(path[at], found.deepCopy());
            }
        } else if (child.isArray()) {
            for (JsonNode element : child) {
                if (element instanceof ObjectNode o) {
                    expand(o, path, at + 1);
                }
            }
        } else if (child instanceof ObjectNode o) {
            if (at == path.length - 1) {
                return;
            }
            expand(o, path, at + 1);
        }
    }

    private ObjectNode findById(String id) {
        if (id.startsWith("cus_")) {
            return customers.get(id);
        }
        if (id.startsWith("prod_")) {
            return products.get(id);
        }
        if (id.startsWith("price_")) {
            return prices.get(id);
        }
        if (id.startsWith("sub_")) {
            return subscriptions.get(id);
        }
        if (id.startsWith("mtr_")) {
            return meters.get(id);
        }
        return null;
    }

    private static void applyMetadata(ObjectNode target, Params p) {
        if (p.isUnset("metadata")) {
            target.putObject("metadata");
            return;
        }
        if (!p.has("metadata")) {
            return;
        }
        ObjectNode metadata = target.get("metadata") instanceof ObjectNode m ? m : target.putObject("metadata");
        p.stringMap("metadata").forEach((k, v) -> {
            if (v.isEmpty()) {
                metadata.remove(k);
            } else {
                metadata.put(k, v);
            }
        });
    }

    private static void putIfPresent(ObjectNode target, Params p, String... fields) {
        for (String f : fields) {
            if (p.isUnset(f)) {
                target.putNull(f);
            } else if (p.has(f)) {
                target.put(f, p.str(f));
            }
        }
    }

    // ---------------------------------------------------------------- customers

    private JsonNode createCustomer(Params p, Ctx ctx) {
        ObjectNode c = fixture("customer");
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
        synchronized (lock) {
            customers.put(c.get("id").asText(), c);
            emit("customer.created", c, null, ctx);
            return c.deepCopy();
        }
    }

    private ObjectNode customer(String id) {
        return existing(customers, "customer", id, "id");
    }

    /** The stored object, or Stripe's "No such …" error naming the parameter that pointed at it. */
    private static ObjectNode existing(Map<String, ObjectNode> objects, String kind, String id, String param) {
        ObjectNode object = objects.get(id);
        if (object == null) {
            throw StripeError.noSuch(kind, id, param);
        }
        return object;
    }

    private JsonNode retrieveCustomer(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            if (deletedCustomers.contains(id)) {
                ObjectNode deleted = fixture("deleted_customer");
                deleted.put("id", id);
                return deleted;
            }
            return customer(id).deepCopy();
        }
    }

    private JsonNode updateCustomer(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            ObjectNode c = customer(id);
            ObjectNode before = c.deepCopy();
            putIfPresent(c, p, "email", "name", "description", "phone");
            applyMetadata(c, p);
            ObjectNode previous = diff(before, c);
            if (!previous.isEmpty()) {
                emit("customer.updated", c, previous, ctx);
            }
            return c.deepCopy();
        }
    }

    private JsonNode deleteCustomer(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            ObjectNode c = customer(id);
            // Stripe cancels the customer's subscriptions first
            for (ObjectNode sub : subscriptions.values()) {
                if (sub.get("customer").asText().equals(id) && !sub.get("status").asText().equals("canceled")) {
                    cancel(sub, ctx);
                }
            }
            customers.remove(id);
            deletedCustomers.add(id);
            emit("customer.deleted", c, null, ctx);
            ObjectNode deleted = fixture("deleted_customer");
            deleted.put("id", id);
            return deleted;
        }
    }

    private JsonNode listCustomers(Params p) {
        String email = p.str("email");
        synchronized (lock) {
            return list(newestFirst(customers.values()), "/v1/customers", p,
                    c -> (email == null || email.equals(c.path("email").asText(null))) && createdMatches(p, c.get("created").asLong()));
        }
    }

    // ---------------------------------------------------------------- products

    private ObjectNode newProduct(String name, Params p) {
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
        products.put(id, product);
        return product;
    }

    private JsonNode createProduct(Params p, Ctx ctx) {
        String name = p.required("name");
        synchronized (lock) {
            ObjectNode product = newProduct(name, p);
            emit("product.created", product, null, ctx);
            return product.deepCopy();
        }
    }

    private JsonNode retrieveProduct(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            ObjectNode product = products.get(id);
            if (product == null) {
                throw StripeError.noSuch("product", id, "id");
            }
            return product.deepCopy();
        }
    }

    private JsonNode updateProduct(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            ObjectNode product = products.get(id);
            if (product == null) {
                throw StripeError.noSuch("product", id, "id");
            }
            ObjectNode before = product.deepCopy();
            putIfPresent(product, p, "name", "description", "unit_label");
            applyMetadata(product, p);
            emit("product.updated", product, diff(before, product), ctx);
            return product.deepCopy();
        }
    }

    private JsonNode listProducts(Params p) {
        synchronized (lock) {
            return list(newestFirst(products.values()), "/v1/products", p, x -> true);
        }
    }

    // ---------------------------------------------------------------- prices

    private JsonNode createPrice(Params p, Ctx ctx) {
        String currency = p.required("currency");
        Params recurringParams = p.params("recurring");
        String billingScheme = p.str("billing_scheme") == null ? "per_unit" : p.str("billing_scheme");
        Long unitAmount = p.longValue("unit_amount");
        String unitAmountDecimal = p.str("unit_amount_decimal");
        if (unitAmount == null && unitAmountDecimal == null && !billingScheme.equals("tiered")) {
            throw StripeError.missing("unit_amount");
        }
        synchronized (lock) {
            String productId = p.str("product");
            if (productId == null) {
                Params productData = p.params("product_data");
                if (productData == null) {
                    throw StripeError.missing("product");
                }
                productId = newProduct(productData.required("name"), productData).get("id").asText();
            } else if (!products.containsKey(productId)) {
                throw StripeError.noSuch("product", productId, "product");
            }
            ObjectNode price = fixture("price");
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
                    if (!meters.containsKey(meter)) {
                        throw StripeError.noSuch("billing meter", meter, "recurring[meter]");
                    }
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
            applyMetadata(price, p);
            prices.put(price.get("id").asText(), price);
            emit("price.created", price, null, ctx);
            return price.deepCopy();
        }
    }

    private ObjectNode price(String id, String param) {
        return existing(prices, "price", id, param);
    }

    private JsonNode retrievePrice(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            return price(id, "id").deepCopy();
        }
    }

    private JsonNode updatePrice(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            ObjectNode price = price(id, "id");
            ObjectNode before = price.deepCopy();
            putIfPresent(price, p, "lookup_key", "nickname");
            if (p.has("active")) {
                price.put("active", p.bool("active"));
            }
            applyMetadata(price, p);
            emit("price.updated", price, diff(before, price), ctx);
            return price.deepCopy();
        }
    }

    private JsonNode listPrices(Params p) {
        String product = p.str("product");
        Boolean active = p.bool("active");
        String type = p.str("type");
        List<String> lookupKeys = p.strings("lookup_keys");
        synchronized (lock) {
            return list(newestFirst(prices.values()), "/v1/prices", p, x ->
                    (product == null || product.equals(x.get("product").asText()))
                            && (active == null || active == x.get("active").asBoolean())
                            && (type == null || type.equals(x.get("type").asText()))
                            && (lookupKeys.isEmpty() || lookupKeys.contains(x.path("lookup_key").asText(null))));
        }
    }

    // ---------------------------------------------------------------- meters

    private JsonNode createMeter(Params p, Ctx ctx) {
        String displayName = p.required("display_name");
        String eventName = p.required("event_name");
        Params aggregation = p.params("default_aggregation");
        if (aggregation == null) {
            throw StripeError.missing("default_aggregation");
        }
        String formula = aggregation.str("formula");
        if (formula == null) {
            throw StripeError.missing("default_aggregation[formula]");
        }
        if (!Set.of("sum", "count", "last").contains(formula)) {
            throw StripeError.invalid("Invalid default_aggregation[formula]: must be one of count, last, or sum",
                    "default_aggregation[formula]");
        }
        Params mapping = p.params("customer_mapping");
        Params valueSettings = p.params("value_settings");
        synchronized (lock) {
            if (activeMeterByEventName.containsKey(eventName)) {
                throw StripeError.invalid("An active meter with event_name `" + eventName + "` already exists.", "event_name");
            }
            ObjectNode meter = fixture("billing.meter");
            meter.put("id", Ids.next("mtr_"));
            meter.put("created", now());
            meter.put("updated", now());
            meter.put("livemode", false);
            meter.put("display_name", displayName);
            meter.put("event_name", eventName);
            ((ObjectNode) meter.get("default_aggregation")).put("formula", formula);
            ObjectNode customerMapping = (ObjectNode) meter.get("customer_mapping");
            customerMapping.put("event_payload_key", mapping == null || mapping.str("event_payload_key") == null
                    ? "stripe_customer_id" : mapping.str("event_payload_key"));
            customerMapping.put("type", "by_id");
            ((ObjectNode) meter.get("value_settings")).put("event_payload_key",
                    valueSettings == null || valueSettings.str("event_payload_key") == null
                            ? "value" : valueSettings.str("event_payload_key"));
            String window = p.str("event_time_window");
            if (window == null) {
                meter.putNull("event_time_window");
            } else {
                meter.put("event_time_window", window);
            }
            meters.put(meter.get("id").asText(), meter);
            activeMeterByEventName.put(eventName, meter);
            emit("billing.meter.created", meter, null, ctx);
            return meter.deepCopy();
        }
    }

    private ObjectNode meter(String id) {
        return existing(meters, "billing meter", id, "id");
    }

    private JsonNode retrieveMeter(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            return meter(id).deepCopy();
        }
    }

    private JsonNode updateMeter(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            ObjectNode meter = meter(id);
            ObjectNode before = meter.deepCopy();
            putIfPresent(meter, p, "display_name");
            meter.put("updated", now());
            emit("billing.meter.updated", meter, diff(before, meter), ctx);
            return meter.deepCopy();
        }
    }

    private JsonNode setMeterStatus(String id, String status, Ctx ctx) {
        synchronized (lock) {
            ObjectNode meter = meter(id);
            String eventName = meter.get("event_name").asText();
            if (status.equals("active")) {
                ObjectNode other = activeMeterByEventName.get(eventName);
                if (other != null && other != meter) {
                    throw StripeError.invalid("An active meter with event_name `" + eventName + "` already exists.", "id");
                }
                activeMeterByEventName.put(eventName, meter);
                ((ObjectNode) meter.get("status_transitions")).putNull("deactivated_at");
            } else {
                activeMeterByEventName.remove(eventName, meter);
                ((ObjectNode) meter.get("status_transitions")).put("deactivated_at", now());
            }
            meter.put("status", status);
            meter.put("updated", now());
            emit(status.equals("active") ? "billing.meter.reactivated" : "billing.meter.deactivated", meter, null, ctx);
            return meter.deepCopy();
        }
    }

    private JsonNode listMeters(Params p) {
        String status = p.str("status");
        synchronized (lock) {
            return list(newestFirst(meters.values()), "/v1/billing/meters", p,
                    m -> status == null || status.equals(m.get("status").asText()));
        }
    }

    // ---------------------------------------------------------------- meter events (hot path, lock-free)

    private JsonNode createMeterEvent(Params p) {
        String eventName = p.required("event_name");
        Params payloadParams = p.params("payload");
        if (payloadParams == null) {
            throw StripeError.missing("payload");
        }
        Map<String, String> payload = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : payloadParams.raw().entrySet()) {
            payload.put(e.getKey(), String.valueOf(e.getValue()));
        }
        ObjectNode meter = activeMeterByEventName.get(eventName);
        String customerKey = meter == null ? "stripe_customer_id" : meter.get("customer_mapping").get("event_payload_key").asText();
        String valueKey = meter == null ? "value" : meter.get("value_settings").get("event_payload_key").asText();
        boolean counting = meter != null && meter.get("default_aggregation").get("formula").asText().equals("count");
        String customer = payload.get(customerKey);
        if (customer == null || customer.isEmpty()) {
            throw StripeError.missing("payload[" + customerKey + "]");
        }
        String rawValue = payload.get(valueKey);
        long value;
        if (rawValue == null || rawValue.isEmpty()) {
            if (!counting) {
                throw StripeError.missing("payload[" + valueKey + "]");
            }
            value = 1;
        } else if (!WHOLE_NUMBER.matcher(rawValue).matches()) {
            throw StripeError.invalid("Invalid payload[" + valueKey + "]: '" + rawValue
                    + "'. Meter event values must be whole numbers.", "payload[" + valueKey + "]");
        } else {
            value = Long.parseLong(rawValue);
        }
        long created = now();
        Long timestampParam = p.longValue("timestamp");
        long timestamp = timestampParam == null ? created : timestampParam;
        if (timestamp < created - 35 * DAY || timestamp > created + 300) {
            throw StripeError.invalid("Timestamp must be within the past 35 days and no more than 5 minutes in the future.",
                    "timestamp");
        }
        String identifier = p.str("identifier");
        if (identifier == null) {
            identifier = Ids.random(24);
        } else if (identifier.length() > 100) {
            throw StripeError.invalid("Invalid identifier: must be at most 100 characters long", "identifier");
        }
        MeterEvent event = new MeterEvent(identifier, eventName, customer, value, timestamp, created,
                meterEventSequence.incrementAndGet(), payload);
        if (meterEventsByIdentifier.putIfAbsent(identifier, event) != null) {
            throw StripeError.invalid("An event already exists with identifier " + identifier + ".", "identifier");
        }
        meterEventsByNameAndCustomer.computeIfAbsent(eventName + '\u0000' + customer, k -> new ConcurrentLinkedQueue<>())
                .add(event);
        return meterEventJson(event);
    }

    private static ObjectNode meterEventJson(MeterEvent event) {
        ObjectNode node = NODES.objectNode();
        node.put("object", "billing.meter_event");
        node.put("created", event.created);
        node.put("event_name", event.eventName);
        node.put("identifier", event.identifier);
        node.put("livemode", false);
        ObjectNode payload = node.putObject("payload");
        event.payload.forEach(payload::put);
        node.put("timestamp", event.timestamp);
        return node;
    }

    private JsonNode createMeterEventAdjustment(Params p) {
        String eventName = p.required("event_name");
        String type = p.str("type") == null ? "cancel" : p.str("type");
        if (!type.equals("cancel")) {
            throw StripeError.invalid("Invalid type: must be cancel", "type");
        }
        Params cancel = p.params("cancel");
        String identifier = cancel == null ? null : cancel.str("identifier");
        if (identifier == null) {
            throw StripeError.missing("cancel[identifier]");
        }
        MeterEvent event = meterEventsByIdentifier.get(identifier);
        if (event == null || !event.eventName.equals(eventName)) {
            throw StripeError.invalid("No meter event with identifier " + identifier + " and event_name " + eventName
                    + " exists.", "cancel[identifier]");
        }
        event.canceled = true;
        ObjectNode node = fixture("billing.meter_event_adjustment");
        ((ObjectNode) node.get("cancel")).put("identifier", identifier);
        node.put("event_name", eventName);
        node.put("livemode", false);
        return node;
    }

    private JsonNode eventSummaries(String meterId, Params p) {
        ObjectNode meter;
        synchronized (lock) {
            meter = meter(meterId).deepCopy();
        }
        String customer = p.required("customer");
        Long start = p.longValue("start_time");
        Long end = p.longValue("end_time");
        if (start == null) {
            throw StripeError.missing("start_time");
        }
        if (end == null) {
            throw StripeError.missing("end_time");
        }
        if (start % 60 != 0) {
            throw StripeError.invalid("start_time must be aligned with minute boundaries.", "start_time");
        }
        if (end % 60 != 0) {
            throw StripeError.invalid("end_time must be aligned with minute boundaries.", "end_time");
        }
        if (end <= start) {
            throw StripeError.invalid("end_time must be after start_time.", "end_time");
        }
        String grouping = p.str("value_grouping_window");
        long size;
        if (grouping == null) {
            size = 0;
        } else if (grouping.equals("hour")) {
            size = 3600;
        } else if (grouping.equals("day")) {
            size = DAY;
        } else {
            throw StripeError.invalid("Invalid value_grouping_window: must be one of day or hour", "value_grouping_window");
        }
        String formula = meter.get("default_aggregation").get("formula").asText();
        List<MeterEvent> events = eventsOf(meter.get("event_name").asText(), customer, start, end);
        List<ObjectNode> summaries = new ArrayList<>();
        long bucketStart = size == 0 ? start : Math.floorDiv(start, size) * size;
        while (bucketStart < end) {
            long from = Math.max(bucketStart, start);
            long to = size == 0 ? end : Math.min(bucketStart + size, end);
            ObjectNode summary = fixture("billing.meter_event_summary");
            summary.put("id", "mtrusg_" + meterId.substring(4) + "_" + from);
            summary.put("meter", meterId);
            summary.put("start_time", from);
            summary.put("end_time", to);
            summary.put("livemode", false);
            summary.put("aggregated_value", aggregate(formula, events, from, to));
            summaries.add(summary);
            if (size == 0) {
                break;
            }
            bucketStart += size;
        }
        return list(summaries, "/v1/billing/meters/" + meterId + "/event_summaries", p, x -> true);
    }

    private List<MeterEvent> eventsOf(String eventName, String customer, long start, long end) {
        Queue<MeterEvent> queue = meterEventsByNameAndCustomer.get(eventName + '\u0000' + customer);
        List<MeterEvent> out = new ArrayList<>();
        if (queue != null) {
            for (MeterEvent e : queue) {
                if (!e.canceled && e.timestamp >= start && e.timestamp < end) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    private static long aggregate(String formula, List<MeterEvent> events, long from, long to) {
        long sum = 0;
        long count = 0;
        MeterEvent last = null;
        for (MeterEvent e : events) {
            if (e.timestamp < from || e.timestamp >= to) {
                continue;
            }
            sum += e.value;
            count++;
            if (last == null || e.timestamp > last.timestamp
                    || (e.timestamp == last.timestamp && e.sequence > last.sequence)) {
                last = e;
            }
        }
        return switch (formula) {
            case "count" -> count;
            case "last" -> last == null ? 0 : last.value;
            default -> sum;
        };
    }

    /** Aggregated value per window start (UTC hours or days) of one customer's events for an event name. */
    TreeMap<Long, Long> totals(String eventName, String customer, long windowSeconds) {
        ObjectNode meter = activeMeterByEventName.get(eventName);
        String formula = meter == null ? "sum" : meter.get("default_aggregation").get("formula").asText();
        List<MeterEvent> events = eventsOf(eventName, customer, Long.MIN_VALUE, Long.MAX_VALUE);
        TreeMap<Long, List<MeterEvent>> byWindow = new TreeMap<>();
        for (MeterEvent e : events) {
            byWindow.computeIfAbsent(Math.floorDiv(e.timestamp, windowSeconds) * windowSeconds, k -> new ArrayList<>()).add(e);
        }
        TreeMap<Long, Long> totals = new TreeMap<>();
        byWindow.forEach((w, list) -> totals.put(w, aggregate(formula, list, Long.MIN_VALUE, Long.MAX_VALUE)));
        return totals;
    }

    List<MeterEvent> meterEvents() {
        List<MeterEvent> all = new ArrayList<>(meterEventsByIdentifier.values());
        all.sort((a, b) -> Long.compare(a.sequence, b.sequence));
        return all;
    }

    long meterEventCount() {
        return meterEventsByIdentifier.size();
    }

    /** Control plane ({@link MeterEventControl}): forgets an accepted meter event as if Stripe had lost it. */
    boolean dropMeterEvent(String identifier) {
        MeterEvent event = meterEventsByIdentifier.get(identifier);
        if (event == null) {
            return false;
        }
        Queue<MeterEvent> queue = meterEventsByNameAndCustomer.get(event.eventName + '\u0000' + event.customer);
        return queue != null && queue.remove(event);
    }

    /** Control plane ({@link MeterEventControl}): stores a meter event that did not come through the API. */
    void injectMeterEvent(String identifier, String eventName, String customer, long value, long timestamp) {
        MeterEvent event = new MeterEvent(identifier, eventName, customer, value, timestamp, now(),
                meterEventSequence.incrementAndGet(), Map.of("stripe_customer_id", customer, "value", Long.toString(value)));
        meterEventsByIdentifier.put(identifier, event);
        meterEventsByNameAndCustomer.computeIfAbsent(eventName + '\u0000' + customer, k -> new ConcurrentLinkedQueue<>())
                .add(event);
    }

    // ---------------------------------------------------------------- subscriptions

    private JsonNode createSubscription(Params p, Ctx ctx) {
        String customerId = p.required("customer");
        List<Params> items = p.paramsList("items");
        if (items.isEmpty()) {
            throw StripeError.missing("items");
        }
        synchronized (lock) {
            if (!customers.containsKey(customerId)) {
                throw StripeError.noSuch("customer", customerId, "customer");
            }
            long now = now();
            ObjectNode sub = fixture("subscription");
            String id = Ids.next("sub_");
            sub.put("id", id);
            sub.put("customer", customerId);
            sub.put("created", now);
            sub.put("start_date", now);
            sub.put("billing_cycle_anchor", now);
            sub.putNull("billing_cycle_anchor_config");
            sub.putNull("cancel_at");
            sub.put("cancel_at_period_end", false);
            sub.putNull("canceled_at");
            sub.putNull("ended_at");
            sub.putNull("next_pending_invoice_item_invoice");
            sub.putNull("pause_collection");
            sub.putNull("pending_invoice_item_interval");
            sub.putNull("pending_update");
            sub.putNull("transfer_data");
            sub.putNull("trial_end");
            sub.putNull("trial_start");
            sub.putNull("billing_thresholds");
            sub.putArray("billing_schedules");
            sub.putObject("metadata");
            sub.putNull("description");
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
                ObjectNode item = newItem(id, items.get(i), "items[" + i + "]", data);
                data.add(item);
            }
            itemList.put("total_count", data.size());
            for (JsonNode item : data) {
                itemToSubscription.put(item.get("id").asText(), id);
            }
            subscriptions.put(id, sub);
            emit("customer.subscription.created", sub, null, ctx);
            return sub.deepCopy();
        }
    }

    /** A subscription item for {@code price}; Stripe refuses {@code quantity} on metered prices. */
    private ObjectNode newItem(String subscriptionId, Params p, String paramPrefix, ArrayNode existing) {
        String priceId = p.str("price");
        if (priceId == null) {
            throw StripeError.missing(paramPrefix.isEmpty() ? "price" : paramPrefix + "[price]");
        }
        ObjectNode price = price(priceId, paramPrefix.isEmpty() ? "price" : paramPrefix + "[price]");
        for (JsonNode other : existing) {
            if (other.get("price").get("id").asText().equals(priceId)) {
                throw StripeError.invalid("Cannot add multiple subscription items with the same plan: " + priceId,
                        paramPrefix.isEmpty() ? "price" : paramPrefix + "[price]");
            }
        }
        boolean metered = price.path("recurring").path("usage_type").asText().equals("metered");
        Long quantity = p.longValue("quantity");
        if (metered && quantity != null) {
            throw StripeError.invalid("Quantity should not be specified where usage_type is `metered`. Remove quantity from `"
                    + (paramPrefix.isEmpty() ? "quantity" : paramPrefix) + "`.",
                    paramPrefix.isEmpty() ? "quantity" : paramPrefix + "[quantity]");
        }
        if (price.get("recurring").isNull()) {
            throw StripeError.invalid("The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.",
                    paramPrefix.isEmpty() ? "price" : paramPrefix + "[price]");
        }
        long now = now();
        ObjectNode item = fixture("subscription_item");
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

    private ObjectNode subscription(String id, String param) {
        return existing(subscriptions, "subscription", id, param);
    }

    private JsonNode retrieveSubscription(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            return subscription(id, "id").deepCopy();
        }
    }

    private JsonNode listSubscriptions(Params p) {
        String customer = p.str("customer");
        String status = p.str("status");
        String price = p.str("price");
        synchronized (lock) {
            return list(newestFirst(subscriptions.values()), "/v1/subscriptions", p, sub -> {
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

    private JsonNode updateSubscription(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            ObjectNode sub = subscription(id, "id");
            ObjectNode before = sub.deepCopy();
            if (sub.get("status").asText().equals("canceled")) {
                throw StripeError.invalid("A canceled subscription can only update its cancellation_details and metadata.",
                        null);
            }
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
            ObjectNode previous = diff(before, sub);
            if (!previous.isEmpty()) {
                emit("customer.subscription.updated", sub, previous, ctx);
            }
            return sub.deepCopy();
        }
    }

    private static int itemIndex(ArrayNode data, String itemId, String param) {
        for (int i = 0; i < data.size(); i++) {
            if (data.get(i).get("id").asText().equals(itemId)) {
                return i;
            }
        }
        throw StripeError.noSuch("subscription item", itemId, param);
    }

    private void updateItemFields(ObjectNode item, Params p, String prefix, ArrayNode siblings) {
        String priceId = p.str("price");
        if (priceId != null && !priceId.equals(item.get("price").get("id").asText())) {
            ObjectNode price = price(priceId, prefix.isEmpty() ? "price" : prefix + "[price]");
            for (JsonNode other : siblings) {
                if (other != item && other.get("price").get("id").asText().equals(priceId)) {
                    throw StripeError.invalid("Cannot add multiple subscription items with the same plan: " + priceId,
                            prefix.isEmpty() ? "price" : prefix + "[price]");
                }
            }
            setItemPrice(item, price);
        }
        boolean metered = item.get("price").path("recurring").path("usage_type").asText().equals("metered");
        Long quantity = p.longValue("quantity");
        if (quantity != null) {
            if (metered) {
                throw StripeError.invalid("Quantity should not be specified where usage_type is `metered`. Remove quantity from `"
                        + (prefix.isEmpty() ? "quantity" : prefix) + "`.", prefix.isEmpty() ? "quantity" : prefix + "[quantity]");
            }
            item.put("quantity", quantity);
        } else if (metered) {
            item.remove("quantity");
        } else if (!item.has("quantity")) {
            item.put("quantity", 1);
        }
        applyMetadata(item, p);
    }

    private JsonNode cancelSubscription(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            ObjectNode sub = subscription(id, "id");
            if (sub.get("status").asText().equals("canceled")) {
                throw StripeError.invalid("resource_missing", "No such subscription: '" + id + "'", "id");
            }
            cancel(sub, ctx);
            return sub.deepCopy();
        }
    }

    private void cancel(ObjectNode sub, Ctx ctx) {
        long now = now();
        sub.put("status", "canceled");
        sub.put("canceled_at", now);
        sub.put("ended_at", now);
        ((ObjectNode) sub.get("cancellation_details")).put("reason", "cancellation_requested");
        emit("customer.subscription.deleted", sub, null, ctx);
    }

    /** Stand-in only: moves a subscription to any status (past_due, unpaid…) as Stripe's billing would. */
    ObjectNode setSubscriptionStatus(String id, String status) {
        synchronized (lock) {
            ObjectNode sub = subscription(id, "id");
            ObjectNode before = sub.deepCopy();
            sub.put("status", status);
            if (status.equals("canceled")) {
                sub.put("canceled_at", now());
                sub.put("ended_at", now());
                emit("customer.subscription.deleted", sub, null, Ctx.NONE);
            } else {
                emit("customer.subscription.updated", sub, diff(before, sub), Ctx.NONE);
            }
            return sub.deepCopy();
        }
    }

    // ---------------------------------------------------------------- subscription items

    private JsonNode createItem(Params p, Ctx ctx) {
        String subscriptionId = p.required("subscription");
        synchronized (lock) {
            ObjectNode sub = subscription(subscriptionId, "subscription");
            if (!LIVE_STATUSES.contains(sub.get("status").asText())) {
                throw StripeError.invalid("This subscription is canceled and cannot be modified.", "subscription");
            }
            ObjectNode before = sub.deepCopy();
            ArrayNode data = (ArrayNode) sub.get("items").get("data");
            ObjectNode item = newItem(subscriptionId, p, "", data);
            data.add(item);
            ((ObjectNode) sub.get("items")).put("total_count", data.size());
            itemToSubscription.put(item.get("id").asText(), subscriptionId);
            emit("customer.subscription.updated", sub, diff(before, sub), ctx);
            return item.deepCopy();
        }
    }

    private ObjectNode item(String id) {
        String subscriptionId = itemToSubscription.get(id);
        if (subscriptionId == null) {
            throw StripeError.noSuch("subscription item", id, "id");
        }
        ArrayNode data = (ArrayNode) subscriptions.get(subscriptionId).get("items").get("data");
        return (ObjectNode) data.get(itemIndex(data, id, "id"));
    }

    private JsonNode retrieveItem(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            return item(id).deepCopy();
        }
    }

    private JsonNode listItems(Params p) {
        String subscriptionId = p.required("subscription");
        synchronized (lock) {
            ObjectNode sub = subscription(subscriptionId, "subscription");
            List<ObjectNode> items = new ArrayList<>();
            sub.get("items").get("data").forEach(i -> items.add((ObjectNode) i));
            return list(items, "/v1/subscription_items", p, x -> true);
        }
    }

    private JsonNode updateItem(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            ObjectNode item = item(id);
            ObjectNode sub = subscriptions.get(itemToSubscription.get(id));
            ObjectNode before = sub.deepCopy();
            updateItemFields(item, p, "", (ArrayNode) sub.get("items").get("data"));
            ObjectNode previous = diff(before, sub);
            if (!previous.isEmpty()) {
                emit("customer.subscription.updated", sub, previous, ctx);
            }
            return item.deepCopy();
        }
    }

    private JsonNode deleteItem(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            item(id);
            ObjectNode sub = subscriptions.get(itemToSubscription.get(id));
            ObjectNode before = sub.deepCopy();
            ArrayNode data = (ArrayNode) sub.get("items").get("data");
            data.remove(itemIndex(data, id, "id"));
            ((ObjectNode) sub.get("items")).put("total_count", data.size());
            itemToSubscription.remove(id);
            emit("customer.subscription.updated", sub, diff(before, sub), ctx);
            ObjectNode deleted = fixture("deleted_subscription_item");
            deleted.put("id", id);
            return deleted;
        }
    }

    // ---------------------------------------------------------------- webhook endpoints

    /** Registers an endpoint; the sender is told by the caller. */
    ObjectNode addWebhookEndpoint(String url, String secret, List<String> enabledEvents) {
        synchronized (lock) {
            ObjectNode endpoint = NODES.objectNode();
            String id = Ids.next("we_");
            endpoint.put("id", id);
            endpoint.put("object", "webhook_endpoint");
            endpoint.putNull("api_version");
            endpoint.putNull("application");
            endpoint.put("created", now());
            endpoint.putNull("description");
            ArrayNode events = endpoint.putArray("enabled_events");
            (enabledEvents.isEmpty() ? List.of("*") : enabledEvents).forEach(events::add);
            endpoint.put("livemode", false);
            endpoint.putObject("metadata");
            endpoint.put("secret", secret);
            endpoint.put("status", "enabled");
            endpoint.put("url", url);
            webhookEndpoints.put(id, endpoint);
            webhooks.add(new WebhookSender.Endpoint(id, url, secret, List.copyOf(enabledEvents)));
            return endpoint.deepCopy();
        }
    }

    private JsonNode createWebhookEndpoint(Params p, Ctx ctx) {
        String url = p.required("url");
        List<String> enabled = p.strings("enabled_events");
        if (enabled.isEmpty()) {
            throw StripeError.missing("enabled_events");
        }
        return addWebhookEndpoint(url, "whsec_" + Ids.random(32), enabled);
    }

    private JsonNode retrieveWebhookEndpoint(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            ObjectNode endpoint = webhookEndpoints.get(id);
            if (endpoint == null) {
                throw StripeError.noSuch("webhook endpoint", id, "id");
            }
            ObjectNode copy = endpoint.deepCopy();
            copy.remove("secret");
            return copy;
        }
    }

    private JsonNode listWebhookEndpoints(Params p) {
        synchronized (lock) {
            List<ObjectNode> copies = new ArrayList<>();
            for (ObjectNode e : newestFirst(webhookEndpoints.values())) {
                ObjectNode copy = e.deepCopy();
                copy.remove("secret");
                copies.add(copy);
            }
            return list(copies, "/v1/webhook_endpoints", p, x -> true);
        }
    }

    private JsonNode deleteWebhookEndpoint(String id, Params p, Ctx ctx) {
        synchronized (lock) {
            if (webhookEndpoints.remove(id) == null) {
                throw StripeError.noSuch("webhook endpoint", id, "id");
            }
        }
        webhooks.remove(id);
        ObjectNode deleted = NODES.objectNode();
        deleted.put("id", id);
        deleted.put("object", "webhook_endpoint");
        deleted.put("deleted", true);
        return deleted;
    }

    // ---------------------------------------------------------------- read helpers for tests

    ObjectNode object(String id) {
        synchronized (lock) {
            ObjectNode found = findById(id);
            return found == null ? null : found.deepCopy();
        }
    }

    List<ObjectNode> eventsSnapshot() {
        synchronized (lock) {
            List<ObjectNode> copy = new ArrayList<>();
            events.forEach(e -> copy.add(e.deepCopy()));
            return copy;
        }
    }
}
