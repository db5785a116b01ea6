package io.meterline.billing.usage;

import io.meterline.billing.aggregation.LiveWindows;
import io.meterline.billing.aggregation.WindowState;
import io.meterline.billing.config.BillingConfig;
import io.meterline.model.usage.MeterDefinition;
import io.meterline.model.usage.WindowSize;
import io.meterline.model.usage.Windows;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Usage of one meter and customer over a range. Hourly windows come from MongoDB, or from the aggregation's own
 * store where that is ahead ({@link LiveWindows}); longer windows are
 * merged from the hours' mergeable state (AVG = sum / count, UNIQUE_COUNT = size of the union, LAST = the value with
 * the latest event time), with boundaries in the requested zone.
 */
@ApplicationScoped
public class UsageQueryService {

    private final UsageWindowRepository windows;
    private final LiveWindows live;
    private final BillingConfig config;
    private final Clock clock = Clock.systemUTC();

    public UsageQueryService(UsageWindowRepository windows, LiveWindows live, BillingConfig config) {
        this.windows = windows;
        this.live = live;
        this.config = config;
    }

    /**
     * @param groupBy properties to split by: empty = the ungrouped total; otherwise a subset of the meter's group-by
     *                properties (checked by the caller)
     */
    public List<UsagePeriod> query(MeterDefinition meter, String customer, Instant from, Instant to, WindowSize size,
            ZoneId zone, List<String> groupBy) {
        Instant alignedFrom = Windows.start(from, size, zone);
        Instant alignedTo = to.equals(Windows.start(to, size, zone)) ? to : Windows.end(to, size, zone);
        long fromMillis = alignedFrom.toEpochMilli();
        long toMillis = alignedTo.toEpochMilli();
        List<WindowState> stored = groupBy.isEmpty()
                ? windows.findTotals(meter.key(), customer, fromMillis, toMillis)
                : windows.findGrouped(meter.key(), customer, fromMillis, toMillis);
        // what the aggregation holds now, where it is ahead of what the writer copied to MongoDB
        List<WindowState> hours = live.overlay(meter.key(), customer, !groupBy.isEmpty(), fromMillis, toMillis, stored);

        Map<Bucket, WindowState> merged = new TreeMap<>();
        for (WindowState hour : hours) {
            Instant start = Windows.start(Instant.ofEpochMilli(hour.windowStart), size, zone);
            Map<String, String> group = project(hour.group, groupBy);
            Bucket bucket = new Bucket(start, group.toString(), group);
            WindowState period = merged.get(bucket);
            if (period == null) {
                period = WindowState.empty(meter.key(), customer, "", group, start.toEpochMilli(), hour.aggregation);
                merged.put(bucket, period);
            }
            period.merge(hour);
        }
        Instant now = clock.instant();
        long grace = config.aggregation().closedGrace().toMillis();
        List<UsagePeriod> periods = new ArrayList<>(merged.size());
        merged.forEach((bucket, state) -> {
            Instant end = Windows.end(bucket.start, size, zone);
            periods.add(new UsagePeriod(bucket.start, end, bucket.group, state.value(), state.count,
                    Windows.closed(end, now, grace)));
        });
        return periods;
    }

    private static Map<String, String> project(Map<String, String> group, List<String> groupBy) {
        Map<String, String> projected = new LinkedHashMap<>();
        for (String property : groupBy) {
            projected.put(property, group.getOrDefault(property, ""));
        }
        return projected;
    }

    private record Bucket(Instant start, String groupText, Map<String, String> group) implements Comparable<Bucket> {
        private static final Comparator<Bucket> ORDER = Comparator.comparing(Bucket::start).thenComparing(Bucket::groupText);

        @Override
        public int compareTo(Bucket other) {
            return ORDER.compare(this, other);
        }
    }
}
