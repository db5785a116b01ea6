package io.meterline.billing.reconciliation;

import java.time.Instant;

/**
 * A provider event a source run ingested because Meterline never received it (collection {@code recovered_events},
 * keyed by the (source, id) dedup key), so {@code /v1/usage/explain} can show it in its window.
 */
public class RecoveredEvent {
    public String id;
    public String source;
    public String eventId;
    public String subject;
    public String type;
    public Instant time;
    /** Start of the event's UTC hour, epoch seconds. */
    public long hour;
    public Double value;
    public String runId;
    public Instant recoveredAt;
}
