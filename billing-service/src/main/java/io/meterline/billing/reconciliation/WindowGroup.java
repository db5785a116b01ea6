package io.meterline.billing.reconciliation;

import java.util.ArrayList;
import java.util.List;

/**
 * Meterline's side of one (Stripe customer, meter, hour): the subjects billed to the customer in that hour summed,
 * because Stripe's summaries know customers, not subjects.
 */
final class WindowGroup {
    final String customerId;
    final String meter;
    final String eventName;
    final long windowStart;
    final boolean gauge;
    final List<String> subjects = new ArrayList<>();
    /** Whole units Meterline bills (floor of each subject's window). */
    long billable;
    /** What the report ledger says Stripe has. */
    long reported;
    /** A delta is pending in the ledger, a correction is pending, or the reporter has not sent the latest delta. */
    boolean pending;
    /** Set when the reporter skips the window: classified not_billable. */
    String skipReason;
    /** The last identifier the ledger recorded for the window (evidence). */
    String lastIdentifier;

    WindowGroup(String customerId, String meter, String eventName, long windowStart, boolean gauge) {
        this.customerId = customerId;
        this.meter = meter;
        this.eventName = eventName;
        this.windowStart = windowStart;
        this.gauge = gauge;
    }

    static String key(String customerId, String meter, long windowStart) {
        return customerId + "|" + meter + "|" + windowStart;
    }

    String key() {
        return key(customerId, meter, windowStart);
    }
}
