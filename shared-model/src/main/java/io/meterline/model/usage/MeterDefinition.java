package io.meterline.model.usage;

import java.util.List;
import java.util.Map;

/**
 * A meter: which events it counts ({@code eventType}, optionally only those whose {@code data} properties equal
 * {@code filter}), how ({@code aggregation} over the number at {@code valuePath} inside {@code data}, e.g.
 * {@code minutes} or {@code call.duration}; unused by COUNT), split by optional {@code groupBy} properties,
 * and where it is billed: the Stripe billing meter's {@code event_name} and, optionally, the metered price that
 * subscriptions need an item for.
 */
public record MeterDefinition(String key, String eventType, Aggregation aggregation, String valuePath,
        Map<String, String> filter, List<String> groupBy, String stripeEventName, String stripePriceId) {

    public MeterDefinition {
        filter = filter == null ? Map.of() : Map.copyOf(filter);
        groupBy = groupBy == null ? List.of() : List.copyOf(groupBy);
    }
}
