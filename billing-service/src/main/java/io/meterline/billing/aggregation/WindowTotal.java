package io.meterline.billing.aggregation;

import io.meterline.model.usage.Aggregation;

import java.util.List;
import java.util.Map;

/**
 * The absolute state of one hourly window after a change, with its version, as the MongoDB writer reads it from the
 * {@code windows} store's changelog (the window state's binary form, {@link WindowState#toBytes}). Replaying it is
 * harmless; the writer keeps the highest version.
 */
public record WindowTotal(String id, String meter, String subject, String organization, String groupKey,
        Map<String, String> group, long windowStart, Aggregation aggregation, double value, long eventCount,
        long version, double sum, double min, double max, long lastTime, double lastValue, List<String> uniques,
        long duplicates, long late, long reconciled, List<long[]> lateArrivals) {

    public static WindowTotal of(WindowState state) {
        return new WindowTotal(state.id(), state.meter, state.subject, state.organization, state.groupKey,
                state.group, state.windowStart, state.aggregation, state.value(), state.count, state.version,
                state.sum, state.min, state.max, state.lastTime, state.lastValue, List.copyOf(state.uniques),
                state.duplicates, state.late, state.reconciled, List.copyOf(state.lateArrivals));
    }
}
