package io.meterline.billing.balance;

import io.meterline.billing.config.BalanceConfig;

import java.util.List;

/** A balance as callers see it: amounts with the effective limit and threshold, and what follows from them. */
public record BalanceView(String customer, String currency, long balance, long unsettled, long debtLimit,
        long remainingDebtCapacity, long rechargeThreshold, boolean needsRecharge, boolean blocked, List<String> modes,
        BalanceDocument.AutoRecharge autoRecharge, long rechargeSequence, BalanceDocument.Recharge recharge,
        long movements, long version) {

    public static BalanceView of(BalanceDocument d, BalanceConfig config) {
        long limit = d.debtLimit != null ? d.debtLimit : config.debtLimit();
        long threshold = d.rechargeThreshold != null ? d.rechargeThreshold : config.rechargeThreshold();
        return new BalanceView(d.customer, d.currency, d.balance, d.unsettled, limit,
                BalanceRules.remainingDebtCapacity(d.balance, limit), threshold,
                BalanceRules.needsRecharge(d.balance, threshold), d.unsettled > 0,
                List.copyOf(d.modes == null ? List.of() : d.modes), d.autoRecharge, d.rechargeSequence, d.recharge,
                d.movements, d.version);
    }

    public boolean prepaid() {
        return modes.contains("prepaid");
    }
}
