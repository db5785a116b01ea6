package io.meterline.billing.aggregation;

import io.meterline.model.usage.Aggregation;

import java.util.List;
import java.util.Map;

/**
 * The absolute state of one hourly window after a change, with its version, as the totals topic carries it to the
 * MongoDB writer. Replaying it is harmless; the writer keeps the highest version. On the topic it is the window
 * state's own binary form ({@link WindowState#toBytes}, what the windows store holds: no second serialisation per
 * emission); records written as JSON by earlier versions are still read ({@link #decode}).
 */
public record WindowTotal(String id, String meter, String subject, String organization, String groupKey,
        Map<String, String> group, long windowStart, Aggregation aggregation, double value, long eventCount,
        long version, double sum, double min, double max, long lastTime, double lastValue, List<String> uniques,
        long duplicates, long late, long reconciled, List<long[]> lateArrivals) {

    /** A totals record's value: binary window state, or a JSON {@code WindowTotal} from before the binary form. */
    public static WindowTotal decode(byte[] value) throws java.io.IOException {
        if (value.length > 0 && value[0] == '{') {
            return io.meterline.model.UsageEventJson.mapper().readValue(value, WindowTotal.class);
        }
        return of(WindowState.fromBytes(value));
    }

    public static WindowTotal of(WindowState state) {
        return new WindowTotal(state.id(), state.meter, state.subject, state.organization, state.groupKey,
                state.group, state.windowStart, state.aggregation, state.value(), state.count, state.version,
                state.sum, state.min, state.max, state.lastTime, state.lastValue, List.copyOf(state.uniques),
                state.duplicates, state.late, state.reconciled, List.copyOf(state.lateArrivals));
    }
}
