package io.meterline.billing.backfill;

import io.meterline.billing.stripesync.StripeSyncReport;

import java.util.List;

/**
 * What a backfill saw and did. The counts narrow step by step (seen, then active/trialing, then with a known
 * Stripe customer, then lacking the item = eligible), so a run that selects nobody shows where everyone dropped
 * out, and {@code explanation} says it in words. {@code source}: {@code stripe} (subscriptions listed from Stripe) or
 * {@code meterline_copy} (no Stripe key); {@code stripeSync}: how Meterline's copy differs from Stripe.
 */
public record BackfillResponse(String meter, String price, String stripeEventName, boolean dryRun,
        long subscriptionsSeen, long activeOrTrialing, long withStripeCustomer, long alreadyHaveItem, long eligible,
        long updated, long failed, List<String> eligibleSubscriptions, List<Added> added, List<Failure> failures,
        String explanation, String source, StripeSyncReport stripeSync) {

    /** An item the backfill created. */
    public record Added(String subscription, String item) {
    }

    /** A subscription the backfill could not update, with Stripe's reason. */
    public record Failure(String subscription, Integer status, String code, String reason) {
    }
}
