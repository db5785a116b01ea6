package io.meterline.billing.reconciliation;

/**
 * Classifies one window from Meterline's billable total, the ledger and Stripe's summary. Pure, unit-tested.
 *
 * <p>Stripe is compared with the ledger (what was sent), not with the billable total: a difference between
 * billable and ledger is the reporter's next delta, not drift. For a gauge the ledger's value is the last value
 * sent, and Stripe's {@code last} formula should show exactly it.
 */
final class WindowClassifier {

    /** The class and, for an under-reported window, what to send to make Stripe whole again. */
    record Verdict(WindowClass windowClass, long missing) {
    }

    private WindowClassifier() {
    }

    /** {@code stripe} is null when the summary could not be read. */
    static Verdict classify(WindowGroup group, Double stripe) {
        if (group.skipReason != null) {
            return new Verdict(WindowClass.NOT_BILLABLE, 0);
        }
        if (stripe == null) {
            return new Verdict(WindowClass.STRIPE_UNKNOWN, 0);
        }
        if (group.pending) {
            return new Verdict(WindowClass.PENDING, 0);
        }
        long atStripe = Math.round(stripe);
        if (atStripe < group.reported) {
            // a gauge is made whole by sending its value again (later in the window), a sum by the difference
            return new Verdict(WindowClass.UNDER_REPORTED, group.gauge ? group.reported : group.reported - atStripe);
        }
        if (atStripe > group.reported) {
            return new Verdict(WindowClass.OVER_REPORTED, 0);
        }
        if (group.billable != group.reported) {
            return new Verdict(WindowClass.PENDING, 0);
        }
        return new Verdict(WindowClass.MATCH, 0);
    }
}
