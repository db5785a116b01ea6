package io.meterline.billing.reporting;

import java.util.Locale;

/** Why a window was not reported in a run; counted per run and in metrics. */
public enum SkipReason {
    /** Neither the subject nor its organization has a Stripe customer (free tier). */
    NO_STRIPE_CUSTOMER,
    /**
     * The customer has no subscription in a status whose usage is reported or held (e.g. canceled, paused,
     * incomplete_expired: see {@code billing.reporting.subscription-status.*}).
     */
    SUBSCRIPTION_NOT_ACTIVE,
    /** The customer's reportable subscriptions lack an item for the meter's price: Stripe would never bill it. */
    NO_METERED_ITEM,
    /** The meter has no Stripe event name, or is unknown. */
    METER_NOT_MAPPED,
    /** The window is older than Stripe accepts meter events for (35 days). */
    OUTSIDE_STRIPE_WINDOW,
    /** Stripe already has the window's whole-number total: nothing to send. */
    COUNTED,
    /**
     * The window's total went below what was already reported (only MIN/AVG-like meters can do that). Stripe meter
     * events cannot be negative, so the difference is left for an operator (meter event adjustments).
     */
    TOTAL_DECREASED,
    /**
     * The meter's Stripe billing meter would not bill what is sent (formula, customer or value key), is inactive or
     * missing: see {@code GET /v1/meters} for the fix. Reported once the meter checks out.
     */
    STRIPE_METER_MISMATCH,
    /**
     * Held: the subscription is in a status whose usage waits (by default unpaid, incomplete); planned again every
     * run and reported if the subscription becomes billable within Stripe's 35-day window.
     */
    SUBSCRIPTION_HELD,
    /** Held, and older than {@code billing.reporting.subscription-status.hold-alert-after}: Stripe's 35-day limit is near. */
    SUBSCRIPTION_HELD_NEAR_DEADLINE,
    /**
     * No customer in Meterline's copy, but Stripe has one for the subject or its organization: webhooks were missed.
     * Run webhook-service's catch-up ({@code POST /admin/webhook-events/catch-up}); see {@code GET /admin/stripe-sync}.
     */
    CUSTOMER_NOT_SYNCED,
    /**
     * The window's total is not finite or not below 2^53 in magnitude, so it has no exact whole number to send
     * (docs/decisions/0060-usage-number-range.md). Never sent; counted, alerted on by metric and log for an operator.
     */
    VALUE_OUT_OF_RANGE;

    /**
     * Whether a window skipped for this reason is settled (it needs another look only when it changes again), or may
     * be reported later without changing (a customer synced, a subscription activated, a meter fixed): those keep
     * their change mark and are planned again every run.
     */
    public boolean settles() {
        return this == COUNTED || this == OUTSIDE_STRIPE_WINDOW || this == TOTAL_DECREASED || this == VALUE_OUT_OF_RANGE;
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
