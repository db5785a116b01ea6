package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Not Stripe: the control plane that makes Stripe's totals differ from Meterline's, for reconciliation tests, the
 * benchmark and the demo. It can lose meter events Stripe had accepted (they stay known by identifier, so a resend
 * with the same identifier is still refused as a duplicate, exactly what a lost-after-accept event looks like to a
 * client) and add meter events that did not come from Meterline (someone else changed the customer's total).
 *
 * <p>Over HTTP: {@code POST /_standin/meter_events/drop} with {@code {"identifiers": [...]}} and
 * {@code POST /_standin/meter_events/inject} with {@code {"event_name", "customer", "value", "timestamp"}}.
 */
public final class MeterEventControl {

    static final String PATH = "/_standin/meter_events/";

    private final MeterEventLog log;
    private final ObjectMapper json;

    MeterEventControl(StripeState state) {
        this.log = state.meterEventLog();
        this.json = state.mapper();
    }

    /** Loses accepted meter events; answers how many were dropped (unknown or already dropped ones are not). */
    public int drop(List<String> identifiers) {
        int dropped = 0;
        for (String identifier : identifiers) {
            if (log.drop(identifier)) {
                dropped++;
            }
        }
        return dropped;
    }

    /** Adds {@code value} to the customer's meter at {@code timestamp}, outside the API; answers the identifier. */
    public String inject(String eventName, String customer, long value, long timestamp) {
        String identifier = "standin_" + Ids.random(20);
        log.add(new MeterEventLog.MeterEvent(identifier, eventName, customer, value, timestamp,
                java.time.Instant.now().getEpochSecond(), log.nextSequence(),
                java.util.Map.of("stripe_customer_id", customer, "value", Long.toString(value))));
        return identifier;
    }

    /** Handles one control-plane call; null when the path is not one of ours. */
    byte[] handle(String method, String path, byte[] body) throws java.io.IOException {
        if (!method.equals("POST")) {
            return null;
        }
        JsonNode request = body.length == 0 ? json.createObjectNode() : json.readTree(body);
        ObjectNode answer = json.createObjectNode();
        switch (path.substring(PATH.length())) {
            case "drop" -> {
                List<String> identifiers = new java.util.ArrayList<>();
                request.path("identifiers").forEach(id -> identifiers.add(id.asText()));
                answer.put("dropped", drop(identifiers));
            }
            case "inject" -> answer.put("identifier", inject(request.path("event_name").asText(),
                    request.path("customer").asText(), request.path("value").asLong(), request.path("timestamp").asLong()));
            default -> {
                return null;
            }
        }
        return json.writeValueAsBytes(answer);
    }
}
