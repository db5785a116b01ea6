package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import static io.meterline.devstack.stripe.StripeStore.DAY;
import static io.meterline.devstack.stripe.StripeStore.NODES;
import static io.meterline.devstack.stripe.StripeStore.now;

/**
 * {@code POST /v1/billing/meter_events}: the hot path, lock-free. Identifiers are unique (Stripe answers "An event
 * already exists with identifier …"); values are whole numbers; timestamps within the past 35 days.
 */
final class MeterEvents implements StripeResource {

    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?\\d{1,18}");

    private final BillingMeters meters;
    private final MeterEventLog log;

    MeterEvents(BillingMeters meters, MeterEventLog log) {
        this.meters = meters;
        this.log = log;
    }

    @Override
    public String path() {
        return "v1/billing/meter_events";
    }

    @Override
    public JsonNode create(Params p, Ctx ctx) {
        String eventName = p.required("event_name");
        Params payloadParams = p.params("payload");
        if (payloadParams == null) {
            throw StripeError.missing("payload");
        }
        Map<String, String> payload = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : payloadParams.raw().entrySet()) {
            payload.put(e.getKey(), String.valueOf(e.getValue()));
        }
        ObjectNode meter = meters.active(eventName);
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
        MeterEventLog.MeterEvent event = new MeterEventLog.MeterEvent(identifier, eventName, customer, value, timestamp,
                created, log.nextSequence(), payload);
        if (!log.add(event)) {
            throw StripeError.invalid("An event already exists with identifier " + identifier + ".", "identifier");
        }
        return json(event);
    }

    private static ObjectNode json(MeterEventLog.MeterEvent event) {
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

    @Override
    public void clear() {
        log.clear();
    }
}
