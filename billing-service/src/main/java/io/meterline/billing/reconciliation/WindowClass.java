package io.meterline.billing.reconciliation;

import java.util.Locale;

/** How one (customer, meter, hour) compares between Meterline, the report ledger and Stripe. */
public enum WindowClass {
    /** Stripe has what the ledger says was sent, and the ledger has Meterline's billable total. */
    MATCH,
    /** Stripe has less than was sent: a meter event was lost or rejected after acceptance. Corrected by a new event. */
    UNDER_REPORTED,
    /** Stripe has more than was sent. Never corrected by guessing: recorded with the evidence and alerted. */
    OVER_REPORTED,
    /** A delta is in flight (pending in the ledger, or not reported yet): the reporter settles it. */
    PENDING,
    /** The reporter skips the window (free tier, inactive subscription, unmapped meter…); the reason is kept. */
    NOT_BILLABLE,
    /** Stripe's summary could not be read (after retries): nothing is known, nothing is changed. */
    STRIPE_UNKNOWN;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
