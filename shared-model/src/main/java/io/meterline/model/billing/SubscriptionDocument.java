package io.meterline.model.billing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A Stripe subscription with its items, as billing needs it. */
public class SubscriptionDocument {
    /** Statuses that bill usage. */
    public static final Set<String> BILLABLE_STATUSES = Set.of("active", "trialing");

    /** Stripe subscription id, {@code sub_…}. */
    public String id;
    public String customerId;
    /** Stripe status: active, trialing, past_due, canceled, paused, incomplete... */
    public String status;
    public long currentPeriodStart;
    public long currentPeriodEnd;
    public boolean cancelAtPeriodEnd;
    public Long canceledAt;
    /** Stripe {@code cancel_at}: when a scheduled cancellation takes effect, epoch seconds; null when none. */
    public Long cancelAt;
    public List<SubscriptionItemDocument> items = new ArrayList<>();
    /** {@code created} of the newest Stripe event applied, epoch seconds. */
    public long lastEventCreated;
    public String lastEventId;

    public boolean billable() {
        return status != null && BILLABLE_STATUSES.contains(status);
    }
}
