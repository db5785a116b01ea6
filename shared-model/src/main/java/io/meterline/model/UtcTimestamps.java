package io.meterline.model;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The common shape of an event time, {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, read and written without
 * {@code java.time.format}: the general parser and printer build a map of fields per call, which a profile of the
 * ingest path showed as its largest single cost. Only the fast path lives here; every other shape (offsets,
 * lower-case letters, missing seconds, out-of-range fields) is left to {@link java.time.format.DateTimeFormatter},
 * so what is accepted and what each time means are exactly what {@code ISO_OFFSET_DATE_TIME} and
 * {@code ISO_INSTANT} say (see {@code UtcTimestampsTests}).
 */
public final class UtcTimestamps {

    private UtcTimestamps() {
    }

    /**
     * The instant of {@code text} when it has the common UTC shape with every field in range, else null (the
     * caller then asks the general parser, which decides whether it is another valid form or invalid).
     */
    public static Instant parseUtc(String text) {
        int length = text.length();
        if (length < 20 || length > 30 || length == 21 || text.charAt(length - 1) != 'Z'
                || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59) {
            return null;
        }
        int nanos = 0;
        if (length > 20) {
            // ".f" to ".fffffffff" between the seconds and the Z
            if (text.charAt(19) != '.') {
                return null;
            }
            int fraction = digits(text, 20, length - 21);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction;
            for (int i = length - 21; i < 9; i++) {
                nanos *= 10;
            }
        }
        LocalDate date;
        try {
            date = LocalDate.of(year, month, day);
        } catch (DateTimeException e) {
            return null;
        }
        return Instant.ofEpochSecond(date.toEpochDay() * 86_400L + hour * 3600L + minute * 60L + second, nanos);
    }

    /** {@code instant} as {@link Instant#toString()} (ISO_INSTANT) writes it, for years 0 to 9999 without it. */
    public static String format(Instant instant) {
        LocalDateTime time = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
        int year = time.getYear();
        if (year < 0 || year > 9999) {
            return instant.toString();
        }
        char[] out = new char[30];
        put(out, 0, year, 4);
        out[4] = '-';
        put(out, 5, time.getMonthValue(), 2);
        out[7] = '-';
        put(out, 8, time.getDayOfMonth(), 2);
        out[10] = 'T';
        put(out, 11, time.getHour(), 2);
        out[13] = ':';
        put(out, 14, time.getMinute(), 2);
        out[16] = ':';
        put(out, 17, time.getSecond(), 2);
        int length = 19;
        int nanos = time.getNano();
        if (nanos > 0) {
            // ISO_INSTANT: the shortest of 3, 6 or 9 fraction digits that holds the value exactly
            out[length++] = '.';
            if (nanos % 1_000_000 == 0) {
                put(out, length, nanos / 1_000_000, 3);
                length += 3;
            } else if (nanos % 1_000 == 0) {
                put(out, length, nanos / 1_000, 6);
                length += 6;
            } else {
                put(out, length, nanos, 9);
                length += 9;
            }
        }
        out[length++] = 'Z';
        return new String(out, 0, length);
    }

    /** The non-negative number of the {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static void put(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
