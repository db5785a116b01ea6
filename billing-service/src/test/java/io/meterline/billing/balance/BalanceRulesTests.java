package io.meterline.billing.balance;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

class BalanceRulesTests {

    @Test
    void debitWithinTheLimitAppliesAndReportsTheRemainingCapacity() {
        var applied = (BalanceRules.Applied) BalanceRules.debit(100, 0, 500, 400);
        assertThat(applied.balanceAfter()).isEqualTo(-300);
        assertThat(BalanceRules.remainingDebtCapacity(applied.balanceAfter(), 500)).isEqualTo(200);
    }

    @Test
    void debitPastTheLimitIsRefusedWithItsNumbers() {
        var refused = (BalanceRules.Refused) BalanceRules.debit(-300, 0, 500, 600);
        assertThat(refused).isEqualTo(new BalanceRules.Refused(-300, 500, 600, -900, 200));
    }

    @Test
    void debitExactlyToTheLimitApplies() {
        var applied = (BalanceRules.Applied) BalanceRules.debit(-300, 0, 500, 200);
        assertThat(applied.balanceAfter()).isEqualTo(-500);
        assertThat(BalanceRules.debit(-500, 0, 500, 1)).isInstanceOf(BalanceRules.Refused.class);
    }

    @Test
    void usagePastTheLimitBecomesUnsettledAndLeavesTheBalance() {
        var applied = BalanceRules.usage(-450, 0, 500, 80);
        assertThat(applied).isEqualTo(new BalanceRules.Applied(0, 80, -450, 80));
    }

    @Test
    void creditSettlesUnsettledUsageFirst() {
        assertThat(BalanceRules.credit(-450, 80, 50)).isEqualTo(new BalanceRules.Applied(0, -50, -450, 30));
        assertThat(BalanceRules.credit(-450, 80, 1000)).isEqualTo(new BalanceRules.Applied(920, -80, 470, 0));
    }

    @Test
    void negativeUsageCreditsTheDifferenceBack() {
        assertThat(BalanceRules.usage(10, 0, 500, -4)).isEqualTo(new BalanceRules.Applied(4, 0, 14, 0));
    }

    @Test
    void windowCostIsRoundedHalfUpOncePerWindowTotal() {
        BigDecimal price = new BigDecimal("0.4");
        assertThat(UsagePricing.cost(1, price)).isZero();          // 0.4
        assertThat(UsagePricing.cost(2, price)).isEqualTo(1);      // 0.8
        assertThat(UsagePricing.cost(3, price)).isEqualTo(1);      // 1.2
        assertThat(UsagePricing.cost(4, new BigDecimal("0.375"))).isEqualTo(2); // 1.5 → 2
        assertThat(UsagePricing.cost(10, new BigDecimal("0.25"))).isEqualTo(3); // 2.5 → 3
        assertThat(UsagePricing.cost(0, price)).isZero();
        // ten events of one unit cost 4 in total, not ten rounded-down zeros
        assertThat(UsagePricing.cost(10, price)).isEqualTo(4);
    }
}
