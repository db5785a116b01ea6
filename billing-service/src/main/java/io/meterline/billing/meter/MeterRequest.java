package io.meterline.billing.meter;

import java.util.List;
import java.util.Map;

/** Body of {@code PUT /v1/meters/{key}}. {@code aggregation}: SUM, COUNT, MAX, MIN, AVG, LAST or UNIQUE_COUNT. */
public record MeterRequest(String eventType, String aggregation, String valuePath, Map<String, String> filter,
        List<String> groupBy, String stripeEventName, String stripePriceId) {
}
