package io.meterline.billing.stripe;

/** Changes Stripe subscriptions. Used by the metered-item backfill. */
public interface StripeSubscriptions {

    boolean live();

    /**
     * Adds the metered {@code priceId} as an item of {@code subscriptionId} (no quantity: Stripe refuses one on
     * metered prices), with an idempotency key per (subscription, price). Returns the new item's id.
     */
    String addMeteredItem(String subscriptionId, String priceId) throws StripeCallException;
}
