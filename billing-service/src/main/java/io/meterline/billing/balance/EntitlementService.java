package io.meterline.billing.balance;

import io.meterline.billing.config.BillingConfig;
import io.meterline.model.usage.MeterDefinition;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Entitlement decisions from the in-memory balances (no I/O). */
@ApplicationScoped
public class EntitlementService {

    private final EntitlementCache cache;
    private final SubscriptionStatusCache subscriptions;
    private final BillingConfig config;

    public EntitlementService(EntitlementCache cache, SubscriptionStatusCache subscriptions, BillingConfig config) {
        this.cache = cache;
        this.subscriptions = subscriptions;
        this.config = config;
    }

    /** {@code meterDefinition} is the meter named by {@code meter} (null when none was named). */
    public EntitlementResponse check(String customer, String meter, MeterDefinition meterDefinition, String currency) {
        String effectiveCurrency = currency == null ? config.balance().currency() : currency.toLowerCase(java.util.Locale.ROOT);
        BalanceView view = cache.get(BalanceDocument.idOf(customer, effectiveCurrency));
        // a subscription for the meter that no longer bills: whatever the balance says, the usage has no contract
        String inactive = subscriptions.inactiveStatus(customer, meterDefinition);
        if (inactive != null) {
            return new EntitlementResponse(customer, meter, false, "subscription_inactive", view == null ? null : view.balance(),
                    view == null ? null : view.remainingDebtCapacity(), view == null ? null : view.needsRecharge(), null,
                    view == null ? 0 : view.version(), inactive);
        }
        if (view == null) {
            return new EntitlementResponse(customer, meter, false, "no_balance", null, null, null, null, 0, null);
        }
        if (!view.prepaid()) {
            return new EntitlementResponse(customer, meter, true, "not_prepaid", view.balance(),
                    view.remainingDebtCapacity(), view.needsRecharge(), null, view.version(), null);
        }
        // one unit's cost, at least one minor unit: the smallest debit the next use can cause
        BigDecimal price = meter == null ? null : config.balance().unitPrices().get(meter);
        long unitCost = price == null ? 1 : Math.max(1, price.setScale(0, RoundingMode.CEILING).longValueExact());
        String reason;
        if (view.blocked()) {
            reason = "blocked";
        } else if (view.remainingDebtCapacity() < unitCost) {
            reason = "debt_limit_reached";
        } else {
            reason = "ok";
        }
        return new EntitlementResponse(customer, meter, reason.equals("ok"), reason, view.balance(),
                view.remainingDebtCapacity(), view.needsRecharge(), unitCost, view.version(), null);
    }
}
