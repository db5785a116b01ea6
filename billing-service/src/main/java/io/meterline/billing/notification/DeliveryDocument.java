package io.meterline.billing.notification;

import org.bson.codecs.pojo.annotations.BsonId;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * One notification to one endpoint (collection {@value #COLLECTION}), {@code _id} = {@code <endpoint>|<event id>}, so
 * fanning out twice creates it once. Claimed and finished by compare-and-set on {@code {_id, attempts}}; every attempt
 * is kept in {@link #log}, the endpoint's delivery log.
 */
public class DeliveryDocument {
    public static final String COLLECTION = "webhook_deliveries";

    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String DEAD = "dead";
    /** Recorded in dry-run: what would have been sent. Never sent, not even after dry-run ends. */
    public static final String DRY_RUN = "dry_run";

    @BsonId
    public String id;
    public String endpointId;
    /** The notification id: the same on every attempt, so receivers deduplicate on it. */
    public String eventId;
    public String eventType;
    /** The exact body sent (signed as is). */
    public String payload;
    public String status;
    public int attempts;
    /** Which claim (one per dispatched chunk) took the current attempt. */
    public String claimedBy;
    public Date nextAttemptAt;
    public Date createdAt;
    public Date deliveredAt;
    public Integer lastStatusCode;
    public String lastError;
    public List<Attempt> log = new ArrayList<>();

    /** One attempt: when, by which instance, the HTTP status (null when no answer) or error, how long it took. */
    public static class Attempt {
        public int attempt;
        public Date at;
        public String instance;
        public Integer statusCode;
        public String error;
        public long durationMs;
    }
}
