package io.meterline.billing.balance;

import java.time.Instant;
import java.util.List;

/** A balance in API form. */
public record BalanceResponse(String customer, String currency, long balance, long unsettled, long debtLimit,
        long remainingDebtCapacity, long rechargeThreshold, boolean needsRecharge, boolean blocked,
        List<String> billingModes, AutoRecharge autoRecharge, long rechargeSequence, Recharge recharge, long movements) {

    /** Auto-recharge settings. */
    public record AutoRecharge(long amount, String stripeCustomer) {
    }

    /** The latest crossing's recharge: {@code pending}, {@code requested}, {@code succeeded} or {@code failed}. */
    public record Recharge(long sequence, long amount, String status, String paymentIntent, String failureCode,
                           Instant requestedAt) {
    }

    static BalanceResponse of(BalanceView v) {
        AutoRecharge auto = v.autoRecharge() == null ? null
                : new AutoRecharge(v.autoRecharge().amount, v.autoRecharge().stripeCustomer);
        BalanceDocument.Recharge r = v.recharge();
        Recharge recharge = r == null ? null : new Recharge(r.sequence, r.amount, r.status, r.paymentIntent,
                r.failureCode, r.requestedAt == null ? null : r.requestedAt.toInstant());
        return new BalanceResponse(v.customer(), v.currency(), v.balance(), v.unsettled(), v.debtLimit(),
                v.remainingDebtCapacity(), v.rechargeThreshold(), v.needsRecharge(), v.blocked(), v.modes(), auto,
                v.rechargeSequence(), recharge, v.movements());
    }
}
