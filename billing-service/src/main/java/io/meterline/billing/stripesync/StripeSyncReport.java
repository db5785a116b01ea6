package io.meterline.billing.stripesync;

import io.meterline.model.billing.SubscriptionComparison;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /admin/stripe-sync}: Stripe's subscriptions next to Meterline's copies. {@code missingLocally}: Stripe
 * has them, Meterline does not (webhooks were missed); {@code staleLocally}: Meterline's copy shows another state;
 * {@code action} says what to do about it.
 */
public record StripeSyncReport(Instant checkedAt, boolean stripeChecked, long stripeSubscriptions, long localSubscriptions,
        long missingLocally, long staleLocally, List<SubscriptionComparison.Difference> missingSamples,
        List<SubscriptionComparison.Difference> staleSamples, String action) {
}
