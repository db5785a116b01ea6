package io.meterline.billing.stripe;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads what Stripe itself holds (billing meters, subscriptions, customers), so Meterline can compare its own copy
 * with it instead of trusting that every webhook arrived. Lists are paginated, one rate-limited call per page.
 */
public interface StripeCatalog {

    /** False without an API key: nothing can be read. */
    boolean live();

    /** Every billing meter, active and inactive. */
    List<MeterInfo> meters() throws StripeCallException;

    /**
     * Subscriptions in {@code status} (a Stripe status, or {@code all}; null: Stripe's default, every subscription
     * not ended), only those with an item for {@code price} when not null.
     */
    void subscriptions(String status, String price, Consumer<SubscriptionInfo> sink) throws StripeCallException;

    /** One subscription, empty when Stripe does not know it. */
    Optional<SubscriptionInfo> subscription(String id) throws StripeCallException;

    /** Every customer (not deleted), with the Meterline subject and organization from its metadata. */
    void customers(Consumer<CustomerInfo> sink) throws StripeCallException;

    /** A billing meter as Stripe defines it. */
    record MeterInfo(String id, String eventName, String formula, String customerMappingType,
            String customerPayloadKey, String valuePayloadKey, String status) {
    }

    /** A subscription: status and the prices of its items. */
    record SubscriptionInfo(String id, String customerId, String status, List<String> priceIds, long created) {
    }

    /** A customer with {@code metadata.meterline_subject} / {@code metadata.meterline_organization}. */
    record CustomerInfo(String id, String subject, String organization, long created) {
    }
}
