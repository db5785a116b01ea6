package io.meterline.model.billing;

/** Names of the MongoDB collections two services share. */
public final class BillingCollections {
    public static final String CUSTOMERS = "stripe_customers";
    public static final String SUBSCRIPTIONS = "stripe_subscriptions";

    private BillingCollections() {
    }
}
