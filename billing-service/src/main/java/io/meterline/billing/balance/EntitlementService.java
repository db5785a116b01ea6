package io.meterline.billing.balance;

import io.meterline.billing.config.BillingConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Entitlement decisions from the in-memory balances (no I/O). */
@ApplicationScoped
public class EntitlementService {

    private final EntitlementCache cache;
    private final BillingConfig config;

    public EntitlementService(EntitlementCache cache, BillingConfig config) {
        this.cache = cache;
        this.config = config;
    }

    public EntitlementResponse check(String customer, String meter, String currency) {
        String effectiveCurrency = currency == null ? config.balance().currency() : currency.toLowerCase(java.util.Locale.ROOT);
        BalanceView view = cache.get(BalanceDocument.idOf(customer, effectiveCurrency));
        if (view == null) {
            return new EntitlementResponse(customer, meter, false, "no_balance", null, null, null, null, 0);
        }
        if (!view.prepaid()) {
            return new EntitlementResponse(customer, meter, true, "not_prepaid", view.balance(),
                    view.remainingDebtCapacity(), view.needsRecharge(), null, view.version());
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
                view.remainingDebtCapacity(), view.needsRecharge(), unitCost, view.version());
    }
}
