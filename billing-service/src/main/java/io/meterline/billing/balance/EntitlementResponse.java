package io.meterline.billing.balance;

/**
 * Whether a customer may start another unit of usage. {@code reason}: {@code ok}, {@code debt_limit_reached}
 * (less remaining capacity than one unit costs), {@code blocked} (usage past the limit is unsettled),
 * {@code no_balance} (no balance for this customer), {@code not_prepaid} (billed by Stripe subscription only: allowed).
 */
public record EntitlementResponse(String customer, String meter, boolean allowed, String reason, Long balance,
        Long remainingDebtCapacity, Boolean needsRecharge, Long unitCost, long asOfVersion) {
}
