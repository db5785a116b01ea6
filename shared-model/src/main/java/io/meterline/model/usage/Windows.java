package io.meterline.model.usage;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;

/**
 * Window and period arithmetic, shared by aggregation, queries and reporting.
 *
 * <p>The unit of truth is the UTC hour. Day, week (ISO: starts on Monday), month and year boundaries are
 * computed in a time zone, so they follow daylight-saving changes (a day may last 23 or 25 hours). Hours are
 * always UTC hours, whatever the zone: in zones whose offset is not a whole number of hours, an hourly window
 * belongs to the day (week...) in which it starts.
 */
public final class Windows {

    public static final long HOUR_MILLIS = 3_600_000L;

    private Windows() {
    }

    /** Start of the UTC hour containing {@code time}. */
    public static Instant hourStart(Instant time) {
        return time.truncatedTo(ChronoUnit.HOURS);
    }

    /** Start (epoch ms) of the UTC hour containing {@code epochMillis}. */
    public static long hourStartMillis(long epochMillis) {
        return Math.floorDiv(epochMillis, HOUR_MILLIS) * HOUR_MILLIS;
    }

    /** Start of the window of {@code size} containing {@code time}, with boundaries in {@code zone}. */
    public static Instant start(Instant time, WindowSize size, ZoneId zone) {
        if (size == WindowSize.HOUR) {
            return hourStart(time);
        }
        LocalDate date = time.atZone(zone).toLocalDate();
        LocalDate first = switch (size) {
            case DAY -> date;
            case WEEK -> date.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> date.withDayOfMonth(1);
            case YEAR -> date.withDayOfYear(1);
            case HOUR -> throw new AssertionError();
        };
        return first.atStartOfDay(zone).toInstant();
    }

    /** End (exclusive) of the window of {@code size} that contains {@code time}; the next window's start. */
    public static Instant end(Instant time, WindowSize size, ZoneId zone) {
        Instant start = start(time, size, zone);
        if (size == WindowSize.HOUR) {
            return start.plus(1, ChronoUnit.HOURS);
        }
        LocalDate first = start.atZone(zone).toLocalDate();
        LocalDate next = switch (size) {
            case DAY -> first.plusDays(1);
            case WEEK -> first.plusWeeks(1);
            case MONTH -> first.plusMonths(1);
            case YEAR -> first.plusYears(1);
            case HOUR -> throw new AssertionError();
        };
        return next.atStartOfDay(zone).toInstant();
    }

    /** UTC-zoned convenience for {@link #start(Instant, WindowSize, ZoneId)}. */
    public static Instant startUtc(Instant time, WindowSize size) {
        return start(time, size, ZoneOffset.UTC);
    }

    /** Whether the window {@code [start, end)} is over at {@code now}, allowing {@code graceMillis} after its end. */
    public static boolean closed(Instant end, Instant now, long graceMillis) {
        return !end.plusMillis(graceMillis).isAfter(now);
    }
}
