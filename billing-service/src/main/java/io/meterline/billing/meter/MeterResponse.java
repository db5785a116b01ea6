package io.meterline.billing.meter;

import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;

import java.util.List;
import java.util.Map;

public record MeterResponse(String key, String eventType, Aggregation aggregation, String valuePath,
        Map<String, String> filter, List<String> groupBy, String stripeEventName, String stripePriceId) {

    static MeterResponse toApi(MeterDefinition meter) {
        return new MeterResponse(meter.key(), meter.eventType(), meter.aggregation(), meter.valuePath(), meter.filter(),
                meter.groupBy(), meter.stripeEventName(), meter.stripePriceId());
    }
}
