package io.meterline.model.billing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares the subscriptions Stripe has with Meterline's copies (kept by webhook-service from webhooks), so a
 * missed webhook shows up as a difference instead of as usage silently skipped. Used by billing-service
 * ({@code GET /admin/stripe-sync}, the backfill) and by webhook-service (after every catch-up). Pure.
 *
 * <ul>
 * <li>{@code missingLocally}: Stripe has the subscription (not ended), Meterline has no copy;</li>
 * <li>{@code staleLocally}: Meterline's copy shows another status than Stripe, or shows it live while Stripe lists it
 *     no longer (canceled, expired or unknown there).</li>
 * </ul>
 */
public final class SubscriptionComparison {

    /** Statuses after which Stripe no longer lists a subscription by default. */
    public static final Set<String> ENDED = Set.of("canceled", "incomplete_expired");

    /** Samples kept per kind of difference. */
    public static final int SAMPLES = 20;

    private SubscriptionComparison() {
    }

    /** A subscription as Stripe lists it. */
    public record StripeSubscription(String id, String customerId, String status, long created) {
    }

    /** One difference; {@code stripeStatus} is null when Stripe no longer lists it. */
    public record Difference(String subscription, String customer, String stripeStatus, String localStatus, long created) {
    }

    /**
     * Counts and the first {@link #SAMPLES} differences of each kind; {@code oldestMissingCreated}: Stripe's
     * {@code created} (epoch seconds) of the oldest subscription missing locally, 0 when none is.
     */
    public record Result(long stripeSubscriptions, long localSubscriptions, long missingLocally, long staleLocally,
            List<Difference> missingSamples, List<Difference> staleSamples, long oldestMissingCreated) {

        public boolean inSync() {
            return missingLocally == 0 && staleLocally == 0;
        }
    }

    /**
     * @param stripeLive every subscription Stripe lists by default (all but the ended ones), complete
     * @param local      Meterline's copies
     */
    public static Result compare(Collection<StripeSubscription> stripeLive, Collection<SubscriptionDocument> local) {
        Map<String, SubscriptionDocument> localById = new HashMap<>();
        for (SubscriptionDocument subscription : local) {
            localById.put(subscription.id, subscription);
        }
        Map<String, StripeSubscription> stripeById = new HashMap<>();
        long missing = 0;
        long stale = 0;
        long oldestMissing = 0;
        List<Difference> missingSamples = new ArrayList<>();
        List<Difference> staleSamples = new ArrayList<>();
        for (StripeSubscription subscription : stripeLive) {
            stripeById.put(subscription.id(), subscription);
            SubscriptionDocument copy = localById.get(subscription.id());
            if (copy == null) {
                missing++;
                oldestMissing = oldestMissing == 0 ? subscription.created() : Math.min(oldestMissing, subscription.created());
                add(missingSamples, new Difference(subscription.id(), subscription.customerId(), subscription.status(), null,
                        subscription.created()));
            } else if (!subscription.status().equals(copy.status)) {
                stale++;
                add(staleSamples, new Difference(subscription.id(), subscription.customerId(), subscription.status(),
                        copy.status, subscription.created()));
            }
        }
        for (SubscriptionDocument copy : local) {
            if (!stripeById.containsKey(copy.id) && copy.status != null && !ENDED.contains(copy.status)) {
                stale++;
                add(staleSamples, new Difference(copy.id, copy.customerId, null, copy.status, 0));
            }
        }
        return new Result(stripeLive.size(), local.size(), missing, stale, missingSamples, staleSamples, oldestMissing);
    }

    private static void add(List<Difference> samples, Difference difference) {
        if (samples.size() < SAMPLES) {
            samples.add(difference);
        }
    }
}
