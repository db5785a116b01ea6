package io.meterline.model.billing;

/** One subscription item: the id billing needs, its price, and the meter that price is metered by. */
public class SubscriptionItemDocument {
    /** Stripe subscription item id, {@code si_…}. */
    public String id;
    /** Stripe price id, {@code price_…}. */
    public String priceId;
    /** Stripe billing meter id ({@code price.recurring.meter}), null for licensed prices. */
    public String meterId;
    /** The meter's {@code event_name}, when known: what billing matches a Meterline meter against. */
    public String meterEventName;
}
