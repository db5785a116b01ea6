package io.meterline.billing.period;

import org.bson.codecs.pojo.annotations.BsonId;

import java.util.Date;

/**
 * How far the catch-up job got for one meter (collection {@value #COLLECTION}): periods complete up to
 * {@link #horizon} have been closed, and hourly windows written before {@link #changedSince} have been looked at.
 * Advanced by compare-and-set on {@code {_id, version}} after a successful run; a lost race only means the next run
 * looks at a little more again (closing is idempotent).
 */
public class PeriodCheckpointDocument {
    public static final String COLLECTION = "usage_period_checkpoints";

    @BsonId
    public String id;
    public Date horizon;
    public Date changedSince;
    public long version;
    public Date updatedAt;
}
