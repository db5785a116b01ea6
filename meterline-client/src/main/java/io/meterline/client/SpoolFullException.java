package io.meterline.client;

/**
 * Thrown by {@link MeterlineClient#record} when the spool is at its bound and the client was built with
 * {@link SpoolFullPolicy#REJECT}: the event was not recorded, and the caller decides what to do with it.
 */
public final class SpoolFullException extends RuntimeException {

    public SpoolFullException(String message) {
        super(message);
    }
}
