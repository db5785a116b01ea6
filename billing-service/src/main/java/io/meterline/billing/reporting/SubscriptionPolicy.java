package io.meterline.billing.reporting;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * What reporting does with usage of a customer whose subscription (with an item for the meter) is in a Stripe
 * status: {@link Action#REPORT} it, {@link Action#HOLD} it (skipped as {@code subscription_held} and planned again
 * every run, so it is reported if the subscription becomes billable again within Stripe's 35-day window; held
 * windows older than {@link #holdAlertAfter()} are counted as {@code subscription_held_near_deadline} for an
 * alert), or {@link Action#SKIP} it ({@code subscription_not_active}). Pure; see docs/decisions/0052.
 */
public record SubscriptionPolicy(Map<String, Action> byStatus, Duration holdAlertAfter) {

    public enum Action { REPORT, HOLD, SKIP }

    /** The defaults: why each is chosen is in docs/decisions/0052-usage-of-inactive-subscriptions.md. */
    public static SubscriptionPolicy defaults() {
        return new SubscriptionPolicy(Map.of(
                "active", Action.REPORT,
                "trialing", Action.REPORT,
                "past_due", Action.REPORT,
                "unpaid", Action.HOLD,
                "incomplete", Action.HOLD,
                "paused", Action.SKIP,
                "canceled", Action.SKIP,
                "incomplete_expired", Action.SKIP), Duration.ofDays(28));
    }

    public SubscriptionPolicy {
        byStatus = Map.copyOf(byStatus);
    }

    /** The policy configured under {@code billing.reporting.subscription-status.*}. */
    public static SubscriptionPolicy of(io.meterline.billing.config.SubscriptionStatusConfig config) {
        return new SubscriptionPolicy(Map.of(
                "active", Action.REPORT,
                "trialing", Action.REPORT,
                "past_due", config.pastDue(),
                "unpaid", config.unpaid(),
                "incomplete", config.incomplete(),
                "paused", config.paused(),
                "canceled", config.canceled(),
                "incomplete_expired", config.incompleteExpired()), config.holdAlertAfter());
    }

    /** Active and trialing always report; an unknown status is skipped (never billed by guess). */
    public Action actionFor(String status) {
        if (status == null) {
            return Action.SKIP;
        }
        String normalised = status.toLowerCase(Locale.ROOT);
        if (normalised.equals("active") || normalised.equals("trialing")) {
            return Action.REPORT;
        }
        return byStatus.getOrDefault(normalised, Action.SKIP);
    }
}
