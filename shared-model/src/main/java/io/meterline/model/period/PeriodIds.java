package io.meterline.model.period;

/** Stable identifiers of closed periods: one per (meter, customer, group, size, start) and one per revision of it. */
public final class PeriodIds {

    private PeriodIds() {
    }

    /** {@code meter|customer|groupKey|size|startEpochSecond}: the period, whatever its revision. */
    public static String periodKey(String meter, String customer, String groupKey, String size, long startEpochSecond) {
        return meter + "|" + customer + "|" + groupKey + "|" + size + "|" + startEpochSecond;
    }

    /** {@code <periodKey>|r<revision>}: one revision of a period; the notification id. */
    public static String revisionId(String periodKey, int revision) {
        return periodKey + "|r" + revision;
    }
}
