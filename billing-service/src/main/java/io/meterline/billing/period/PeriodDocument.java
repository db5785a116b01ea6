package io.meterline.billing.period;

import org.bson.codecs.pojo.annotations.BsonId;

import java.util.Date;
import java.util.Map;

/**
 * One revision of one closed period (collection {@value #COLLECTION}); never changed after insertion.
 * {@code _id} = {@code PeriodIds.revisionId(periodKey, revision)}: inserting it is what closes the period, so of two
 * instances closing the same period one insert wins and the other gets a duplicate key. Its publication is tracked by
 * the {@link PeriodPublicationDocument} named in {@link #publication}, written before the insert (decision 0095).
 */
public class PeriodDocument {
    public static final String COLLECTION = "usage_periods";

    @BsonId
    public String id;
    public String periodKey;
    public String meter;
    public String customer;
    public String organization;
    public String groupKey;
    public Map<String, String> group;
    /** {@code hour|day|week|month|year}. */
    public String size;
    public Date start;
    public Date end;
    public String timeZone;
    public String aggregation;
    public double value;
    public long eventCount;
    /**
     * The mergeable state the period's aggregation uses (SUM and AVG: sum; MIN: min; MAX: max; LAST: the last value
     * and its event time; UNIQUE_COUNT: how many distinct values); the others are absent (decision 0096).
     */
    public Double sum;
    public Double min;
    public Double max;
    public Long lastTime;
    public Double lastValue;
    public Long uniqueCount;
    /** 0 for the first close; n for the n-th revision. */
    public int revision;
    public Double previousValue;
    public Long previousEventCount;
    /** Why this revision exists ({@code late_event}); null for revision 0. */
    public String reason;
    public Date closedAt;
    /** {@code schedule}, {@code manual} or {@code startup}: what closed it. */
    public String closedBy;
    /** The publication whose batch inserted this revision: only that one publishes it. */
    public String publication;
}
