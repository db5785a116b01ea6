package io.meterline.billing.meter;

import io.meterline.billing.stripe.StripeCatalog.MeterInfo;
import io.meterline.model.Violation;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Stripe billing meter must be for Meterline's reports to bill the usage. Pure: no I/O.
 *
 * <p>The reporter sends, per window, whole-number deltas of the total (SUM, COUNT, MAX, MIN, AVG, UNIQUE_COUNT),
 * which Stripe must add up: formula {@code sum}; a Stripe {@code count} meter would bill the number of meter events
 * sent instead of the usage. Gauges (LAST) send the window's last value: formula {@code last}. Every event carries
 * the customer under {@value #CUSTOMER_KEY} (mapping {@code by_id}) and the number under {@value #VALUE_KEY}.
 * Stripe takes events only for an active meter with the event name.
 */
public final class StripeMeterRules {

    /** Payload key of the Stripe customer id in every meter event the reporter sends. */
    public static final String CUSTOMER_KEY = "stripe_customer_id";
    /** Payload key of the value in every meter event the reporter sends. */
    public static final String VALUE_KEY = "value";

    private StripeMeterRules() {
    }

    /** The Stripe formula a meter of this aggregation needs. */
    public static String formulaFor(Aggregation aggregation) {
        return aggregation == Aggregation.LAST ? "last" : "sum";
    }

    public static MeterCheck check(MeterDefinition meter, List<MeterInfo> stripeMeters, Instant now) {
        String eventName = meter.stripeEventName();
        String formula = formulaFor(meter.aggregation());
        MeterInfo active = null;
        MeterInfo inactive = null;
        for (MeterInfo candidate : stripeMeters) {
            if (eventName != null && eventName.equals(candidate.eventName())) {
                if ("active".equals(candidate.status())) {
                    active = candidate;
                } else if (inactive == null) {
                    inactive = candidate;
                }
            }
        }
        List<Violation> problems = new ArrayList<>();
        String create = "create a Stripe billing meter with event_name " + eventName + ", default_aggregation.formula "
                + formula + ", customer_mapping.event_payload_key " + CUSTOMER_KEY + " and value_settings.event_payload_key "
                + VALUE_KEY;
        if (active == null && inactive != null) {
            problems.add(new Violation("stripeEventName", "stripe_meter_inactive", "Stripe meter " + inactive.id()
                    + " (event_name " + eventName + ") is " + inactive.status() + ": it cannot take meter events"));
            return new MeterCheck(MeterCheck.MISMATCH, inactive.id(), problems, "reactivate it in Stripe (POST /v1/billing/meters/"
                    + inactive.id() + "/reactivate), or " + create + " and point stripeEventName at it", now);
        }
        if (active == null) {
            problems.add(new Violation("stripeEventName", MeterCheck.MISSING,
                    "no Stripe billing meter has event_name " + eventName + ": Stripe would drop every meter event"));
            return new MeterCheck(MeterCheck.MISMATCH, null, problems, create, now);
        }
        if (!formula.equals(active.formula())) {
            String why = "count".equals(active.formula())
                    ? "Stripe would bill the number of meter events Meterline sends, not the usage"
                    : "Stripe would not bill what Meterline's " + meter.aggregation() + " meter reports";
            problems.add(new Violation("aggregation", "stripe_formula_mismatch", "Stripe meter " + active.id()
                    + " aggregates with formula " + active.formula() + " but a " + meter.aggregation()
                    + " meter needs " + formula + ": " + why));
        }
        if (!CUSTOMER_KEY.equals(active.customerPayloadKey())
                || (active.customerMappingType() != null && !"by_id".equals(active.customerMappingType()))) {
            problems.add(new Violation("stripeEventName", "stripe_customer_mapping_mismatch", "Stripe meter " + active.id()
                    + " maps customers from payload key " + active.customerPayloadKey() + " (" + active.customerMappingType()
                    + ") but Meterline sends the customer id under " + CUSTOMER_KEY));
        }
        if (!VALUE_KEY.equals(active.valuePayloadKey())) {
            problems.add(new Violation("stripeEventName", "stripe_value_key_mismatch", "Stripe meter " + active.id()
                    + " reads the value from payload key " + active.valuePayloadKey() + " but Meterline sends it under "
                    + VALUE_KEY));
        }
        if (problems.isEmpty()) {
            return new MeterCheck(MeterCheck.OK, active.id(), problems, null, now);
        }
        // Stripe cannot change a meter's formula or keys once created, and event names are unique among active meters
        return new MeterCheck(MeterCheck.MISMATCH, active.id(), problems, "Stripe meters cannot be changed in place: "
                + "deactivate " + active.id() + " and " + create + " (or use a new event name and point stripeEventName at it)",
                now);
    }
}
