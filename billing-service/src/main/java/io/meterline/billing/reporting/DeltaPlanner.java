package io.meterline.billing.reporting;

import io.meterline.model.UsageNumbers;
import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.report.MeterEventIdentifier;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;

import java.time.Duration;
import java.time.Instant;

/**
 * Decides, for one window, what to send to Stripe or why not. Pure: no I/O, unit-tested directly.
 *
 * <p>Stripe meter events take whole numbers only, so the reported total is {@code floor(window value)}: a
 * summing meter sends {@code floor(total) - reported}, and the fraction is sent once it completes a unit in a
 * later run. A gauge ({@code LAST}) sends the window's last value, floored, whenever it differs from what was
 * last sent; its Stripe meter uses the {@code last} formula, and each new value gets a later timestamp inside the
 * window (window start + sequence seconds) so Stripe's "last" picks it.
 */
public final class DeltaPlanner {

    /** Margin kept from Stripe's 35-day limit, so an event computed now is still accepted when it arrives. */
    static final Duration STRIPE_WINDOW_MARGIN = Duration.ofMinutes(10);

    /** The decision for one window: a delta to send, or a reason not to. */
    public sealed interface Plan permits Send, Skip {
    }

    public record Send(LedgerEntry.Pending pending) implements Plan {
    }

    public record Skip(SkipReason reason) implements Plan {
    }

    private final Duration stripeWindow;
    private final SubscriptionPolicy policy;

    public DeltaPlanner(Duration stripeWindow) {
        this(stripeWindow, SubscriptionPolicy.defaults());
    }

    public DeltaPlanner(Duration stripeWindow, SubscriptionPolicy policy) {
        this.stripeWindow = stripeWindow;
        this.policy = policy;
    }

    public Plan plan(WindowView window, MeterDefinition meter, LedgerEntry entry, CustomerDirectory directory, Instant now) {
        if (meter == null || meter.stripeEventName() == null || meter.stripeEventName().isBlank()) {
            return new Skip(SkipReason.METER_NOT_MAPPED);
        }
        if (!UsageNumbers.reportable(window.value())) {
            // (long) would saturate Infinity to Long.MAX_VALUE and round above 2^53: never send such a number
            return new Skip(SkipReason.VALUE_OUT_OF_RANGE);
        }
        long target = (long) Math.floor(window.value());
        long reported = entry == null ? 0 : entry.reported;
        long sequence = entry == null ? 0 : entry.sequence;
        boolean gauge = meter.aggregation() == Aggregation.LAST;
        long amount;
        if (gauge) {
            if (target == reported) {
                return new Skip(SkipReason.COUNTED);
            }
            amount = target;
        } else {
            amount = target - reported;
            if (amount == 0) {
                return new Skip(SkipReason.COUNTED);
            }
            if (amount < 0) {
                return new Skip(SkipReason.TOTAL_DECREASED);
            }
        }
        // inside the window, later for each delta; never in the future
        long timestamp = Math.min(window.windowStart() + Math.min(3599, sequence), now.getEpochSecond());
        if (timestamp < now.minus(stripeWindow).plus(STRIPE_WINDOW_MARGIN).getEpochSecond()) {
            return new Skip(SkipReason.OUTSIDE_STRIPE_WINDOW);
        }
        CustomerDocument customer = directory.customerFor(window.subject(), window.organization());
        if (customer == null) {
            return new Skip(SkipReason.NO_STRIPE_CUSTOMER);
        }
        // what the customer's subscriptions' statuses allow (docs/decisions/0052): report, hold, or skip
        boolean reportWithItem = false;
        boolean holdWithItem = false;
        boolean anyReport = false;
        boolean anyHold = false;
        for (SubscriptionDocument subscription : directory.subscriptionsOf(customer.id)) {
            SubscriptionPolicy.Action action = policy.actionFor(subscription.status);
            boolean hasItem = subscription.items.stream()
                    .anyMatch(item -> CustomerDirectory.itemBills(item, meter.stripeEventName(), meter.stripePriceId()));
            anyReport |= action == SubscriptionPolicy.Action.REPORT;
            anyHold |= action == SubscriptionPolicy.Action.HOLD;
            reportWithItem |= action == SubscriptionPolicy.Action.REPORT && hasItem;
            holdWithItem |= action == SubscriptionPolicy.Action.HOLD && hasItem;
        }
        if (!reportWithItem) {
            if (holdWithItem || (!anyReport && anyHold)) {
                boolean nearDeadline = window.windowStart() < now.minus(policy.holdAlertAfter()).getEpochSecond();
                return new Skip(nearDeadline ? SkipReason.SUBSCRIPTION_HELD_NEAR_DEADLINE : SkipReason.SUBSCRIPTION_HELD);
            }
            return new Skip(anyReport ? SkipReason.NO_METERED_ITEM : SkipReason.SUBSCRIPTION_NOT_ACTIVE);
        }
        String identifier = MeterEventIdentifier.of(customer.id, window.subject(), meter.key(), window.windowStart(),
                reported, sequence);
        return new Send(new LedgerEntry.Pending(identifier, customer.id, meter.stripeEventName(), amount, timestamp,
                gauge ? target : reported + amount, sequence + 1));
    }
}
