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
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * What the resources share: one table of objects per resource, the lock that serialises object changes (rare),
 * the event log and webhook emission, Stripe's list pagination and {@code expand[]}, and the parameter helpers
 * every create/update uses. Meter events, the hot path, keep their own lock-free maps ({@link MeterEventLog}).
 */
final class StripeStore {

    static final String DEFAULT_API_VERSION = "2026-07-29.dahlia";
    static final long DAY = 86_400;
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The objects of one resource by id, in creation order. Guarded by the store's lock. */
    static final class Table {
        private final String kind;
        private final String idPrefix;
        private final boolean clearedOnReset;
        private final Map<String, ObjectNode> objects = new LinkedHashMap<>();

        private Table(String kind, String idPrefix, boolean clearedOnReset) {
            this.kind = kind;
            this.idPrefix = idPrefix;
            this.clearedOnReset = clearedOnReset;
        }

        /** The stored object, or Stripe's "No such …" error naming the parameter that pointed at it. */
        ObjectNode get(String id, String param) {
            ObjectNode object = objects.get(id);
            if (object == null) {
                throw StripeError.noSuch(kind, id, param);
            }
            return object;
        }

        ObjectNode find(String id) {
            return objects.get(id);
        }

        void put(ObjectNode object) {
            objects.put(object.get("id").asText(), object);
        }

        ObjectNode remove(String id) {
            return objects.remove(id);
        }

        Collection<ObjectNode> values() {
            return objects.values();
        }

        List<ObjectNode> newestFirst() {
            List<ObjectNode> list = new ArrayList<>(objects.values());
            Collections.reverse(list);
            return list;
        }
    }

    private final ObjectMapper json = new ObjectMapper();
    private final JsonNode fixtures;
    private final WebhookSender webhooks;
    private final Object lock = new Object();
    private final List<Table> tables = new CopyOnWriteArrayList<>();
    private final List<ObjectNode> events = new ArrayList<>();
    private volatile String apiVersion = DEFAULT_API_VERSION;

    StripeStore(WebhookSender webhooks) {
        this.webhooks = webhooks;
        try (InputStream in = StripeStore.class.getResourceAsStream("fixtures.json")) {
            this.fixtures = json.readTree(Objects.requireNonNull(in, "fixtures.json")).get("resources");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new table for objects whose ids start with {@code idPrefix}; {@code kind} names them in "No such …". */
    Table table(String kind, String idPrefix) {
        return table(kind, idPrefix, true);
    }

    /** As {@link #table(String, String)}; a table not cleared on reset keeps its objects (webhook endpoints). */
    Table table(String kind, String idPrefix, boolean clearedOnReset) {
        Table table = new Table(kind, idPrefix, clearedOnReset);
        tables.add(table);
        return table;
    }

    /** The lock every object change and every read of a table holds. */
    Object lock() {
        return lock;
    }

    ObjectMapper mapper() {
        return json;
    }

    WebhookSender webhooks() {
        return webhooks;
    }

    void apiVersion(String version) {
        if (version != null && !version.isBlank()) {
            apiVersion = version;
        }
    }

    void clear() {
        synchronized (lock) {
            tables.stream().filter(t -> t.clearedOnReset).forEach(t -> t.objects.clear());
            events.clear();
        }
    }

    ObjectNode fixture(String name) {
        return fixtures.get(name).deepCopy();
    }

    static long now() {
        return Instant.now().getEpochSecond();
    }

    // ---------------------------------------------------------------- events

    /** Records an event for a change and sends it to the webhook endpoints. Call under the lock. */
    void emit(String type, ObjectNode object, ObjectNode previous, StripeResource.Ctx ctx) {
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

    /**
     * Applies {@code change} to a stored object and, when it changed anything, records {@code type} with the top-level
     * fields it changed as {@code previous_attributes} (Stripe sends no event for an update that changes nothing).
     * Call under the lock.
     */
    void update(String type, ObjectNode object, StripeResource.Ctx ctx, java.util.function.Consumer<ObjectNode> change) {
        ObjectNode before = object.deepCopy();
        change.accept(object);
        ObjectNode previous = diff(before, object);
        if (!previous.isEmpty()) {
            emit(type, object, previous, ctx);
        }
    }

    /** The event log, oldest first. Call under the lock. */
    List<ObjectNode> events() {
        return events;
    }

    /** Top-level fields that changed, with their old values: Stripe's {@code previous_attributes}. */
    static ObjectNode diff(ObjectNode before, ObjectNode after) {
        ObjectNode previous = NODES.objectNode();
        before.fieldNames().forEachRemaining(f -> {
            if (!Objects.equals(before.get(f), after.get(f))) {
                previous.set(f, before.get(f));
            }
        });
        return previous;
    }

    // ---------------------------------------------------------------- lists and expansion

    /** One page of Stripe's list object over {@code ordered} (newest first), honouring limit and cursors. */
    static ObjectNode list(List<? extends JsonNode> ordered, String url, Params p, Predicate<ObjectNode> filter) {
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
        int to;
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

    /** {@code created=…} or {@code created[gte|gt|lte|lt]=…} as Stripe's list filters read it. */
    static boolean createdMatches(Params p, long created) {
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

    /** Replaces ids on the {@code expand[]} paths by copies of the objects they name. */
    void expand(ObjectNode result, List<String> paths) {
        synchronized (lock) {
            for (String e : paths) {
                expand(result, e.split("\\."), 0);
            }
        }
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
        } else if (child instanceof ObjectNode o && at < path.length - 1) {
            expand(o, path, at + 1);
        }
    }

    /** Any stored object by id, found through its id prefix; null if none. Call under the lock. */
    ObjectNode findById(String id) {
        for (Table table : tables) {
            if (id.startsWith(table.idPrefix)) {
                ObjectNode found = table.find(id);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- parameters

    static void applyMetadata(ObjectNode target, Params p) {
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

    static void putIfPresent(ObjectNode target, Params p, String... fields) {
        for (String f : fields) {
            if (p.isUnset(f)) {
                target.putNull(f);
            } else if (p.has(f)) {
                target.put(f, p.str(f));
            }
        }
    }
}
