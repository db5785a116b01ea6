package io.meterline.model.period;

import java.time.Instant;
import java.util.Map;

/**
 * The final aggregate of one closed period, as published to topic {@code usage-periods} (key = customer) and in the
 * body of outgoing webhooks. Schema: {@code docs/schema/usage-period.json}.
 *
 * <p>{@code id} is stable per (period, revision): the same record published twice (a crash between publishing and
 * recording it) or a webhook retried carries the same id, so consumers deduplicate on it. A revision (a late event
 * landed in the period after it closed) is a new record with {@code revision} + 1, {@code previousValue} and
 * {@code previousEventCount} of the revision it replaces and a {@code reason}.
 *
 * @param type {@link #CLOSED} for revision 0, {@link #REVISED} afterwards
 * @param size {@code hour|day|week|month|year}
 * @param timeZone billing time zone the period boundaries were computed in
 */
public record UsagePeriodNotification(String id, String type, String meter, String customer, String organization,
        Map<String, String> group, String size, Instant start, Instant end, String timeZone, String aggregation,
        double value, long eventCount, int revision, Double previousValue, Long previousEventCount, String reason,
        Instant closedAt) {

    public static final String CLOSED = "period.closed";
    public static final String REVISED = "period.revised";
    /** Kafka header carrying {@link #id()}, so a consumer can deduplicate without parsing the value. */
    public static final String HEADER_ID = "meterline-period-id";
}
