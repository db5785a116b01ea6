package io.meterline.model.usage;

import java.util.Locale;

/** Length of a usage window. Hours are the stored unit (UTC); the others are views derived from hours. */
public enum WindowSize {
    HOUR, DAY, WEEK, MONTH, YEAR;

    /** Parses {@code hour|day|week|month|year} (any case); null when it is none of them. */
    public static WindowSize parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
