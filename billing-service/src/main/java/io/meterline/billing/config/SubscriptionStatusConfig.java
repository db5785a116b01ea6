package io.meterline.billing.config;

import io.meterline.billing.reporting.SubscriptionPolicy.Action;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * {@code billing.reporting.subscription-status.*}: what reporting does with usage of a subscription in each Stripe
 * status that is not active or trialing ({@code report}, {@code hold} or {@code skip}); see
 * docs/decisions/0052-usage-of-inactive-subscriptions.md for why the defaults are what they are.
 */
public interface SubscriptionStatusConfig {

    /** Stripe keeps invoicing a past_due subscription: its usage goes on the next invoice. */
    @WithDefault("report")
    Action pastDue();

    /** Invoices are still created but not collected: held until it is paid (active) again. */
    @WithDefault("hold")
    Action unpaid();

    /** The first payment is pending; within 23 hours it becomes active or incomplete_expired. */
    @WithDefault("hold")
    Action incomplete();

    /** A paused subscription creates no invoices: usage sent meanwhile is never billed. */
    @WithDefault("skip")
    Action paused();

    /** Ended: no further invoices. */
    @WithDefault("skip")
    Action canceled();

    @WithDefault("skip")
    Action incompleteExpired();

    /** Held usage older than this is counted as {@code subscription_held_near_deadline} (Stripe refuses it after 35 days). */
    @WithDefault("P28D")
    Duration holdAlertAfter();
}
