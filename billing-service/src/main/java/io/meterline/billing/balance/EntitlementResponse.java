package io.meterline.billing.balance;

/**
 * Whether a customer may start another unit of usage. {@code reason}: {@code ok}, {@code debt_limit_reached}
 * (less remaining capacity than one unit costs), {@code blocked} (usage past the limit is unsettled),
 * {@code no_balance} (no balance for this customer), {@code not_prepaid} (billed by Stripe subscription only: allowed),
 * {@code subscription_inactive} (the customer's Stripe subscription for the meter is canceled, unpaid,
 * incomplete_expired or paused: {@code subscriptionStatus} says which).
 */
public record EntitlementResponse(String customer, String meter, boolean allowed, String reason, Long balance,
        Long remainingDebtCapacity, Boolean needsRecharge, Long unitCost, long asOfVersion, String subscriptionStatus) {
}
