package io.meterline.model;

/** Kafka topic and header names: part of Meterline's public interface. */
public final class Topics {

    /** Usage events, keyed by subject. Written by ingest-service and by producers directly. */
    public static final String USAGE_EVENTS = "usage-events";
    /** Records from {@link #USAGE_EVENTS} that could not be used, with the reason in headers. */
    public static final String USAGE_EVENTS_DLQ = "usage-events.dlq";
    /** Final aggregates of closed periods. */
    public static final String USAGE_PERIODS = "usage-periods";
    /**
     * Notifications that are not period totals ({@code balance.recharge_needed}, usage-source reliability alerts),
     * keyed by customer; the value is a JSON object with a {@code type}.
     */
    public static final String BILLING_NOTIFICATIONS = "billing-notifications";
    /** billing's Kafka Streams store of hourly windows (internal to billing). */
    public static final String WINDOWS_STORE = "windows";

    /**
     * The changelog of {@link #WINDOWS_STORE} (internal to billing): Kafka Streams names it
     * {@code <application.id>-windows-changelog} and writes each changed window to it once per commit, in the same
     * transaction as the input offsets; billing's MongoDB writer reads it (decision 0028).
     */
    public static String windowsChangelog(String applicationId) {
        return applicationId + "-" + WINDOWS_STORE + "-changelog";
    }

    /** Header: the authenticated principal that sent the event through the ingest API. */
    public static final String HEADER_PRINCIPAL = "meterline-principal";
    /** Header: when the ingest API received the event (ISO-8601 instant). */
    public static final String HEADER_RECEIVED_AT = "meterline-received-at";
    /** DLQ header: why the record was dead-lettered (a {@link Violation#reason()} or {@code too_late}...). */
    public static final String HEADER_DLQ_REASON = "meterline-dlq-reason";
    /** DLQ header: human-readable detail. */
    public static final String HEADER_DLQ_DETAIL = "meterline-dlq-detail";
    /** DLQ header: partition of the original record. */
    public static final String HEADER_DLQ_PARTITION = "meterline-dlq-original-partition";
    /** DLQ header: offset of the original record. */
    public static final String HEADER_DLQ_OFFSET = "meterline-dlq-original-offset";

    private Topics() {
    }
}
