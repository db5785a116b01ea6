package io.meterline.client;

/** What {@link MeterlineClient#record} does when the spool is at its bound. Never a silent drop. */
public enum SpoolFullPolicy {
    /** Wait until delivered events make room (back-pressure onto the producer's thread). */
    BLOCK,
    /** Throw {@link SpoolFullException} at once; the event is not recorded. */
    REJECT
}
