package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

import static io.meterline.devstack.stripe.StripeStore.createdMatches;

/** {@code /v1/events}: the store's event log, newest first, filtered by {@code type}, {@code types} and {@code created}. */
final class Events implements StripeResource {

    private final StripeStore store;

    Events(StripeStore store) {
        this.store = store;
    }

    @Override
    public String path() {
        return "v1/events";
    }

    @Override
    public JsonNode list(Params p) {
        String type = p.str("type");
        List<String> types = p.strings("types");
        Predicate<ObjectNode> filter = e -> (type == null || matchesType(type, e.get("type").asText()))
                && (types.isEmpty() || types.contains(e.get("type").asText()))
                && createdMatches(p, e.get("created").asLong());
        synchronized (store.lock()) {
            List<ObjectNode> newestFirst = new ArrayList<>(store.events());
            Collections.reverse(newestFirst);
            return StripeStore.list(newestFirst, "/v1/events", p, filter);
        }
    }

    @Override
    public JsonNode retrieve(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            return store.events().stream().filter(e -> e.get("id").asText().equals(id)).findFirst()
                    .orElseThrow(() -> StripeError.noSuch("event", id, "id"));
        }
    }

    private static boolean matchesType(String pattern, String type) {
        return pattern.endsWith("*") ? type.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(type);
    }
}
