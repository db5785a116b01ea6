package io.meterline.model.usage;

import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * One hourly usage window in MongoDB (collection {@link #COLLECTION}): the absolute total of one meter for one
 * subject and group over one UTC hour. Written idempotently by billing's aggregation (a newer {@code version}
 * replaces an older one, never the reverse) and read by queries and by Stripe reporting.
 *
 * <p>{@code groupKey} is "" for the ungrouped total that is always kept (the one reported to Stripe); grouped
 * windows exist in addition when the meter has group-by properties.
 */
public class UsageWindowDocument {
    public static final String COLLECTION = "usage_windows";

    /** {@code meter|subject|groupKey|windowStartEpochSecond}, see {@link #idOf}. */
    public String id;
    public String meter;
    public String subject;
    /** Organization of the subject as last seen on its events (second path of customer resolution). */
    public String organization;
    public String groupKey;
    public Map<String, String> group;
    public Date windowStart;
    public Date windowEnd;
    public Aggregation aggregation;
    /** The window's value: what queries show and what reporting bills. */
    public double value;
    /** Events counted into this window (after deduplication). */
    public long eventCount;
    /** Monotonic per window: a write with a lower version never replaces a higher one. */
    public long version;
    public Date updatedAt;

    // mergeable state, so day/week/month views can be derived from hourly windows exactly
    public double sum;
    public double min;
    public double max;
    /** Event time (epoch ms) of the value in {@link #lastValue}, for LAST. */
    public long lastTime;
    public double lastValue;
    /** Distinct values seen, for UNIQUE_COUNT. */
    public List<String> uniques;

    // explanation facts (billing's GET /v1/usage/explain), recorded since window state format 2; not part of the value
    /** Repeats of counted events (same source and id) that arrived for this window and were dropped. */
    public long duplicates;
    /** Events counted after the window had closed. */
    public long late;
    /** Events recovered from a usage provider by reconciliation ({@code reconciled: true}). */
    public long reconciled;
    /** The latest late arrivals. */
    public List<LateArrival> lateArrivals;

    /** When a late event arrived, and its event time. */
    public static class LateArrival {
        public Date arrivedAt;
        public Date eventTime;
    }

    public static String idOf(String meter, String subject, String groupKey, long windowStartEpochSecond) {
        return meter + "|" + subject + "|" + groupKey + "|" + windowStartEpochSecond;
    }
}
