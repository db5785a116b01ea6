package io.meterline.billing.period;

import io.meterline.billing.config.PeriodsConfig;
import io.meterline.model.usage.WindowSize;
import io.meterline.model.usage.Windows;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which periods exist, when each is complete, and which ones a run looks at. Pure: boundaries come from
 * {@link Windows} in the customer's billing zone (weeks start on Monday, days last 23 or 25 hours on DST changes).
 */
public final class PeriodCalendar {

    /** One period: {@code [start, end)}. */
    public record Period(WindowSize size, Instant start, Instant end) {
    }

    private final List<WindowSize> defaultSizes;
    private final Map<String, List<WindowSize>> meterSizes;
    private final ZoneId defaultZone;
    private final Map<String, ZoneId> customerZones;
    private final Duration grace;
    private final Map<WindowSize, Duration> lookbacks;

    public PeriodCalendar(List<WindowSize> defaultSizes, Map<String, List<WindowSize>> meterSizes, ZoneId defaultZone,
            Map<String, ZoneId> customerZones, Duration grace, Map<WindowSize, Duration> lookbacks) {
        this.defaultSizes = List.copyOf(defaultSizes);
        this.meterSizes = Map.copyOf(meterSizes);
        this.defaultZone = defaultZone;
        this.customerZones = Map.copyOf(customerZones);
        this.grace = grace;
        this.lookbacks = new EnumMap<>(lookbacks);
    }

    /** From configuration; fails on unknown sizes, zones or a grace longer than the dedup lookback. */
    public static PeriodCalendar of(PeriodsConfig config, Duration dedupLookback) {
        if (config.grace().isNegative() || config.grace().compareTo(dedupLookback) > 0) {
            throw new IllegalStateException("billing.periods.grace (" + config.grace()
                    + ") must be between 0 and billing.aggregation.lookback (" + dedupLookback + ")");
        }
        Map<String, List<WindowSize>> meterSizes = new LinkedHashMap<>();
        config.meters().forEach((meter, periods) -> periods.sizes()
                .ifPresent(sizes -> meterSizes.put(meter, sizes(sizes, "billing.periods.meters." + meter + ".sizes"))));
        Map<String, ZoneId> zones = new LinkedHashMap<>();
        config.customerZones().forEach((customer, zone) -> zones.put(customer, ZoneId.of(zone)));
        Map<WindowSize, Duration> lookbacks = new EnumMap<>(WindowSize.class);
        lookbacks.put(WindowSize.HOUR, config.lookback().hour());
        lookbacks.put(WindowSize.DAY, config.lookback().day());
        lookbacks.put(WindowSize.WEEK, config.lookback().week());
        lookbacks.put(WindowSize.MONTH, config.lookback().month());
        lookbacks.put(WindowSize.YEAR, config.lookback().year());
        return new PeriodCalendar(sizes(config.sizes(), "billing.periods.sizes"), meterSizes, ZoneId.of(config.zone()),
                zones, config.grace(), lookbacks);
    }

    static List<WindowSize> sizes(List<String> texts, String key) {
        List<WindowSize> sizes = new ArrayList<>();
        for (String text : texts) {
            WindowSize size = WindowSize.parse(text);
            if (size == null) {
                throw new IllegalStateException(key + ": '" + text + "' is none of hour, day, week, month, year");
            }
            if (!sizes.contains(size)) {
                sizes.add(size);
            }
        }
        return sizes;
    }

    public List<WindowSize> sizesFor(String meter) {
        return meterSizes.getOrDefault(meter, defaultSizes);
    }

    public ZoneId zoneFor(String customer) {
        return customerZones.getOrDefault(customer, defaultZone);
    }

    /** Every billing zone in use: the default and each customer's override. */
    public java.util.Set<ZoneId> zones() {
        java.util.Set<ZoneId> zones = new java.util.LinkedHashSet<>();
        zones.add(defaultZone);
        zones.addAll(customerZones.values());
        return zones;
    }

    public Duration grace() {
        return grace;
    }

    public Duration lookback(WindowSize size) {
        return lookbacks.get(size);
    }

    /** The longest lookback among {@code sizes}. */
    public Duration longestLookback(List<WindowSize> sizes) {
        Duration longest = Duration.ZERO;
        for (WindowSize size : sizes) {
            if (lookback(size).compareTo(longest) > 0) {
                longest = lookback(size);
            }
        }
        return longest;
    }

    /** When the period can no longer change: its end plus the grace. */
    public Instant completesAt(Period period) {
        return period.end().plus(grace);
    }

    public boolean complete(Period period, Instant now) {
        return !completesAt(period).isAfter(now);
    }

    public static Period containing(Instant time, WindowSize size, ZoneId zone) {
        return new Period(size, Windows.start(time, size, zone), Windows.end(time, size, zone));
    }

    /** Whether the catch-up job still looks at the period at {@code now}: it ends inside the size's lookback. */
    public boolean withinLookback(Period period, Instant now) {
        return period.end().isAfter(now.minus(lookback(period.size())));
    }

    /**
     * Complete periods of {@code size} that overlap the hours {@code [firstHour, lastHour]} with data, end inside the
     * lookback and became complete after {@code completedAfter} (null: whenever).
     */
    public List<Period> completePeriods(WindowSize size, ZoneId zone, Instant firstHour, Instant lastHour, Instant now,
            Instant completedAfter) {
        List<Period> periods = new ArrayList<>();
        Instant lookbackStart = now.minus(lookback(size));
        Instant cursor = firstHour.isAfter(lookbackStart) ? firstHour : lookbackStart;
        Instant dataEnd = lastHour.plusMillis(Windows.HOUR_MILLIS);
        while (cursor.isBefore(dataEnd)) {
            Period period = containing(cursor, size, zone);
            if (!complete(period, now)) {
                break;
            }
            if (withinLookback(period, now) && (completedAfter == null || completesAt(period).isAfter(completedAfter))) {
                periods.add(period);
            }
            cursor = period.end();
        }
        return periods;
    }

    /** Every period of {@code size} overlapping {@code [from, to)} (for the manual close). */
    public static List<Period> periodsBetween(WindowSize size, ZoneId zone, Instant from, Instant to) {
        List<Period> periods = new ArrayList<>();
        for (Instant cursor = Windows.start(from, size, zone); cursor.isBefore(to); ) {
            Period period = containing(cursor, size, zone);
            periods.add(period);
            cursor = period.end();
        }
        return periods;
    }

    public static String sizeName(WindowSize size) {
        return size.name().toLowerCase(Locale.ROOT);
    }
}
