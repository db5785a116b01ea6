package io.meterline.billing.period;

import org.bson.codecs.pojo.annotations.BsonId;

import java.util.Date;
import java.util.List;

/**
 * One batch of closed period revisions being published (collection {@value #COLLECTION}): written before the insert
 * that closes them, deleted once they are on {@code usage-periods} and fanned out to webhook deliveries. One write
 * before and one after per batch, where a state on every period document cost one update per period (decision 0095).
 * A document still here after {@code billing.notifications.publish-recovery-after} is an interrupted publication:
 * {@link PeriodPublisher#recover()} takes it by compare-and-set on {@code {_id, at}}.
 */
public class PeriodPublicationDocument {
    public static final String COLLECTION = "usage_period_publications";

    @BsonId
    public String id;
    /** Revision ids of the batch; those whose document names this publication are the ones its insert closed. */
    public List<String> periodIds;
    /** When the publication started; a recovery reads the topic from shortly before it. */
    public Date startedAt;
    /** When the current owner started (or took over) the publication. */
    public Date at;
    /** The instance publishing it. */
    public String by;
}
