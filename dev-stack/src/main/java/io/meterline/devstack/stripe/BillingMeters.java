package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static io.meterline.devstack.stripe.StripeStore.DAY;
import static io.meterline.devstack.stripe.StripeStore.diff;
import static io.meterline.devstack.stripe.StripeStore.now;
import static io.meterline.devstack.stripe.StripeStore.putIfPresent;

/**
 * {@code /v1/billing/meters}, their {@code deactivate}/{@code reactivate} and {@code event_summaries}. At most one
 * active meter per event name, as Stripe enforces.
 */
final class BillingMeters implements StripeResource {

    private final StripeStore store;
    private final StripeStore.Table meters;
    private final MeterEventLog log;
    private final Map<String, ObjectNode> activeByEventName = new ConcurrentHashMap<>();

    BillingMeters(StripeStore store, MeterEventLog log) {
        this.store = store;
        this.meters = store.table("billing meter", "mtr_");
        this.log = log;
    }

    @Override
    public String path() {
        return "v1/billing/meters";
    }

    StripeStore.Table table() {
        return meters;
    }

    /** The active meter for an event name, or null; read without the lock (meter events, the hot path). */
    ObjectNode active(String eventName) {
        return activeByEventName.get(eventName);
    }

    @Override
    public JsonNode create(Params p, Ctx ctx) {
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
        synchronized (store.lock()) {
            if (activeByEventName.containsKey(eventName)) {
                throw StripeError.invalid("An active meter with event_name `" + eventName + "` already exists.", "event_name");
            }
            ObjectNode meter = store.fixture("billing.meter");
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
            meters.put(meter);
            activeByEventName.put(eventName, meter);
            store.emit("billing.meter.created", meter, null, ctx);
            return meter.deepCopy();
        }
    }

    @Override
    public JsonNode retrieve(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            return meters.get(id, "id").deepCopy();
        }
    }

    @Override
    public JsonNode update(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            ObjectNode meter = meters.get(id, "id");
            store.update("billing.meter.updated", meter, ctx, m -> {
                putIfPresent(m, p, "display_name");
                m.put("updated", now());
            });
            return meter.deepCopy();
        }
    }

    @Override
    public JsonNode list(Params p) {
        String status = p.str("status");
        synchronized (store.lock()) {
            return StripeStore.list(meters.newestFirst(), "/v1/billing/meters", p,
                    m -> status == null || status.equals(m.get("status").asText()));
        }
    }

    @Override
    public JsonNode action(String method, String id, String action, Params p, Ctx ctx) {
        if (method.equals("GET") && action.equals("event_summaries")) {
            return eventSummaries(id, p);
        }
        if (method.equals("POST") && (action.equals("deactivate") || action.equals("reactivate"))) {
            return setStatus(id, action.equals("deactivate") ? "inactive" : "active", ctx);
        }
        return null;
    }

    @Override
    public void clear() {
        activeByEventName.clear();
    }

    private JsonNode setStatus(String id, String status, Ctx ctx) {
        synchronized (store.lock()) {
            ObjectNode meter = meters.get(id, "id");
            String eventName = meter.get("event_name").asText();
            if (status.equals("active")) {
                ObjectNode other = activeByEventName.get(eventName);
                if (other != null && other != meter) {
                    throw StripeError.invalid("An active meter with event_name `" + eventName + "` already exists.", "id");
                }
                activeByEventName.put(eventName, meter);
                ((ObjectNode) meter.get("status_transitions")).putNull("deactivated_at");
            } else {
                activeByEventName.remove(eventName, meter);
                ((ObjectNode) meter.get("status_transitions")).put("deactivated_at", now());
            }
            meter.put("status", status);
            meter.put("updated", now());
            store.emit(status.equals("active") ? "billing.meter.reactivated" : "billing.meter.deactivated", meter, null, ctx);
            return meter.deepCopy();
        }
    }

    private JsonNode eventSummaries(String meterId, Params p) {
        ObjectNode meter;
        synchronized (store.lock()) {
            meter = meters.get(meterId, "id").deepCopy();
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
        List<MeterEventLog.MeterEvent> events = log.eventsOf(meter.get("event_name").asText(), customer, start, end);
        List<ObjectNode> summaries = new ArrayList<>();
        long bucketStart = size == 0 ? start : Math.floorDiv(start, size) * size;
        while (bucketStart < end) {
            long from = Math.max(bucketStart, start);
            long to = size == 0 ? end : Math.min(bucketStart + size, end);
            ObjectNode summary = store.fixture("billing.meter_event_summary");
            summary.put("id", "mtrusg_" + meterId.substring(4) + "_" + from);
            summary.put("meter", meterId);
            summary.put("start_time", from);
            summary.put("end_time", to);
            summary.put("livemode", false);
            summary.put("aggregated_value", MeterEventLog.aggregate(formula, events, from, to));
            summaries.add(summary);
            if (size == 0) {
                break;
            }
            bucketStart += size;
        }
        return StripeStore.list(summaries, "/v1/billing/meters/" + meterId + "/event_summaries", p, x -> true);
    }

    /** Aggregated value per window start of one customer's events, by the active meter's formula (sum if none). */
    TreeMap<Long, Long> totals(String eventName, String customer, long windowSeconds) {
        ObjectNode meter = activeByEventName.get(eventName);
        String formula = meter == null ? "sum" : meter.get("default_aggregation").get("formula").asText();
        return log.totals(formula, eventName, customer, windowSeconds);
    }
}
