package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

import static io.meterline.devstack.stripe.StripeStore.NODES;
import static io.meterline.devstack.stripe.StripeStore.now;

/** {@code /v1/webhook_endpoints}; the secret is shown only on creation. Endpoints survive a reset. */
final class WebhookEndpoints implements StripeResource {

    private final StripeStore store;
    private final StripeStore.Table endpoints;

    WebhookEndpoints(StripeStore store) {
        this.store = store;
        this.endpoints = store.table("webhook endpoint", "we_", false);
    }

    @Override
    public String path() {
        return "v1/webhook_endpoints";
    }

    /** Registers an endpoint and tells the sender. */
    ObjectNode add(String url, String secret, List<String> enabledEvents) {
        synchronized (store.lock()) {
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
            endpoints.put(endpoint);
            store.webhooks().add(new WebhookSender.Endpoint(id, url, secret, List.copyOf(enabledEvents)));
            return endpoint.deepCopy();
        }
    }

    @Override
    public JsonNode create(Params p, Ctx ctx) {
        String url = p.required("url");
        List<String> enabled = p.strings("enabled_events");
        if (enabled.isEmpty()) {
            throw StripeError.missing("enabled_events");
        }
        return add(url, "whsec_" + Ids.random(32), enabled);
    }

    @Override
    public JsonNode retrieve(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            return withoutSecret(endpoints.get(id, "id"));
        }
    }

    @Override
    public JsonNode list(Params p) {
        synchronized (store.lock()) {
            List<ObjectNode> copies = new ArrayList<>();
            endpoints.newestFirst().forEach(e -> copies.add(withoutSecret(e)));
            return StripeStore.list(copies, "/v1/webhook_endpoints", p, x -> true);
        }
    }

    @Override
    public JsonNode delete(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            endpoints.get(id, "id");
            endpoints.remove(id);
        }
        store.webhooks().remove(id);
        ObjectNode deleted = NODES.objectNode();
        deleted.put("id", id);
        deleted.put("object", "webhook_endpoint");
        deleted.put("deleted", true);
        return deleted;
    }

    private static ObjectNode withoutSecret(ObjectNode endpoint) {
        ObjectNode copy = endpoint.deepCopy();
        copy.remove("secret");
        return copy;
    }
}
