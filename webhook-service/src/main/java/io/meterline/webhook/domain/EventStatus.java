package io.meterline.webhook.domain;

import java.util.Locale;

/** Life of a stored Stripe event: pending → processing → processed, or back to pending for a retry, or dead. */
public enum EventStatus {
    PENDING, PROCESSING, PROCESSED, DEAD;

    /** The value stored in Mongo and used in the admin API. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EventStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
