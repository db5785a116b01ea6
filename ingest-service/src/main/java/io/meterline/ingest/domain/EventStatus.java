package io.meterline.ingest.domain;

/** What happened to one event of a request. */
public enum EventStatus {
    /** Stored in Kafka (only ever reported after Kafka acknowledged it). */
    ACCEPTED,
    /** The same (source, id) was accepted earlier in the same request; not written twice. */
    DUPLICATE_IN_BATCH,
    /** Refused, with the violations saying why; the producer must fix it before resending. */
    REJECTED;

    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
