package io.meterline.billing.meter;

import java.util.List;

/** The meters an event type feeds, as the aggregation processor asks for them (per event, from memory). */
public interface MeterLookup {

    List<MeterMatcher> matchersFor(String eventType);
}
