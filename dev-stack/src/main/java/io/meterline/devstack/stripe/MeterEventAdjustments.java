package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code POST /v1/billing/meter_event_adjustments}: cancels a meter event by identifier. */
final class MeterEventAdjustments implements StripeResource {

    private final StripeStore store;
    private final MeterEventLog log;

    MeterEventAdjustments(StripeStore store, MeterEventLog log) {
        this.store = store;
        this.log = log;
    }

    @Override
    public String path() {
        return "v1/billing/meter_event_adjustments";
    }

    @Override
    public JsonNode create(Params p, Ctx ctx) {
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
        MeterEventLog.MeterEvent event = log.byIdentifier(identifier);
        if (event == null || !event.eventName.equals(eventName)) {
            throw StripeError.invalid("No meter event with identifier " + identifier + " and event_name " + eventName
                    + " exists.", "cancel[identifier]");
        }
        event.canceled = true;
        ObjectNode node = store.fixture("billing.meter_event_adjustment");
        ((ObjectNode) node.get("cancel")).put("identifier", identifier);
        node.put("event_name", eventName);
        node.put("livemode", false);
        return node;
    }
}
