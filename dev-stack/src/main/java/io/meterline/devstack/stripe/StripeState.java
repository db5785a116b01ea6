package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stand-in's resources and the router in front of them. Each resource is one {@link StripeResource} class
 * registered here; they share a {@link StripeStore} (tables, lock, events, lists, expansion). Object changes are
 * rare and serialised on the store's lock; meter events, the hot path, use concurrent maps only.
 */
final class StripeState {

    static final String DEFAULT_API_VERSION = StripeStore.DEFAULT_API_VERSION;

    private final StripeStore store;
    private final Map<String, StripeResource> resources = new ConcurrentHashMap<>();
    private final MeterEventLog meterEventLog = new MeterEventLog();
    private final BillingMeters meters;
    private final Subscriptions subscriptions;
    private final WebhookEndpoints webhookEndpoints;
    private final PaymentIntents paymentIntents;
    private final MeterEventStreams meterEventStreams;

    StripeState(WebhookSender webhooks) {
        store = new StripeStore(webhooks);
        Customers customers = register(new Customers(store));
        Products products = register(new Products(store));
        meters = register(new BillingMeters(store, meterEventLog));
        Prices prices = register(new Prices(store, products, meters));
        subscriptions = register(new Subscriptions(store, customers, prices));
        register(new SubscriptionItems(store, subscriptions));
        register(new MeterEvents(meters, meterEventLog));
        register(new MeterEventAdjustments(store, meterEventLog));
        webhookEndpoints = register(new WebhookEndpoints(store));
        register(new Events(store));
        paymentIntents = register(new PaymentIntents(store, customers));
        meterEventStreams = new MeterEventStreams(store, meters, meterEventLog, webhooks);
    }

    private <R extends StripeResource> R register(R resource) {
        if (resources.putIfAbsent(resource.path(), resource) != null) {
            throw new IllegalStateException("two resources for " + resource.path());
        }
        return resource;
    }

    ObjectMapper mapper() {
        return store.mapper();
    }

    void apiVersion(String version) {
        store.apiVersion(version);
    }

    void clear() {
        synchronized (store.lock()) {
            store.clear();
            resources.values().forEach(StripeResource::clear);
            meterEventStreams.clear();
        }
    }

    // ---------------------------------------------------------------- routing

    /**
     * Finds the resource with the longest registered path that prefixes the request path, then by what follows:
     * nothing → create (POST) or list (GET); {@code /{id}} → retrieve, update or delete; {@code /{id}/{action}}.
     */
    JsonNode handle(String method, String path, Params p, StripeResource.Ctx ctx) {
        String[] s = path.substring(1).split("/");
        for (int k = s.length; k >= 1; k--) {
            StripeResource resource = resources.get(String.join("/", List.of(s).subList(0, k)));
            if (resource != null) {
                JsonNode result = call(resource, method, s, k, p, ctx);
                if (result == null) {
                    break;
                }
                List<String> expand = p.strings("expand");
                if (!expand.isEmpty() && result instanceof ObjectNode object) {
                    store.expand(object, expand);
                }
                return result;
            }
        }
        throw new StripeError(404, "invalid_request_error", null,
                "Unrecognized request URL (" + method + ": " + path + "). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
                null);
    }

    private static JsonNode call(StripeResource r, String method, String[] s, int k, Params p, StripeResource.Ctx ctx) {
        return switch (s.length - k) {
            case 0 -> switch (method) {
                case "POST" -> r.create(p, ctx);
                case "GET" -> r.list(p);
                default -> null;
            };
            case 1 -> switch (method) {
                case "GET" -> r.retrieve(s[k], p, ctx);
                case "POST" -> r.update(s[k], p, ctx);
                case "DELETE" -> r.delete(s[k], p, ctx);
                default -> null;
            };
            case 2 -> r.action(method, s[k], s[k + 1], p, ctx);
            default -> null;
        };
    }

    // ---------------------------------------------------------------- for StripeStandIn's helpers

    ObjectNode addWebhookEndpoint(String url, String secret, List<String> enabledEvents) {
        return webhookEndpoints.add(url, secret, enabledEvents);
    }

    /** The v2 meter event session and stream endpoints (routed by {@link StripeStandIn}, not by path). */
    MeterEventStreams meterEventStreams() {
        return meterEventStreams;
    }

    PaymentIntents paymentIntents() {
        return paymentIntents;
    }

    ObjectNode setSubscriptionStatus(String id, String status) {
        return subscriptions.setStatus(id, status);
    }

    TreeMap<Long, Long> totals(String eventName, String customer, long windowSeconds) {
        return meters.totals(eventName, customer, windowSeconds);
    }

    List<MeterEventLog.MeterEvent> meterEvents() {
        return meterEventLog.all();
    }

    long meterEventCount() {
        return meterEventLog.count();
    }

    /** For {@link MeterEventControl}, the control plane that is not Stripe. */
    MeterEventLog meterEventLog() {
        return meterEventLog;
    }

    ObjectNode object(String id) {
        synchronized (store.lock()) {
            ObjectNode found = store.findById(id);
            return found == null ? null : found.deepCopy();
        }
    }

    List<ObjectNode> eventsSnapshot() {
        synchronized (store.lock()) {
            List<ObjectNode> copy = new ArrayList<>();
            store.events().forEach(e -> copy.add(e.deepCopy()));
            return copy;
        }
    }
}
