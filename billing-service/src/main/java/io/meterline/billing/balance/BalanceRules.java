package io.meterline.billing.balance;

/**
 * The arithmetic of one movement on one balance, free of I/O: what a credit, a debit or a usage debit does to
 * {@code balance} and {@code unsettled}, given the debt limit. All amounts are minor units.
 *
 * <ul>
 *   <li>A debit applies only if {@code balance − amount ≥ −debtLimit}; otherwise it is refused and changes nothing.</li>
 *   <li>A usage debit that does not fit is not refused (the usage happened): its whole amount becomes
 *       {@code unsettled} and the customer is blocked while anything is unsettled.</li>
 *   <li>A credit settles {@code unsettled} first; the rest raises the balance.</li>
 *   <li>A negative usage amount (a window's cost went down, e.g. a gauge) credits the difference back.</li>
 * </ul>
 */
public final class BalanceRules {

    private BalanceRules() {
    }

    /** What a movement does. */
    public sealed interface Outcome permits Applied, Refused {
    }

    /** The movement applies: {@code delta} to the balance, {@code unsettledDelta} to the unsettled amount. */
    public record Applied(long delta, long unsettledDelta, long balanceAfter, long unsettledAfter) implements Outcome {
    }

    /** A debit that would pass the debt limit: nothing changes. */
    public record Refused(long balance, long debtLimit, long attempted, long wouldBe, long remainingDebtCapacity)
            implements Outcome {
    }

    public static Outcome credit(long balance, long unsettled, long amount) {
        long settled = Math.min(unsettled, amount);
        long delta = amount - settled;
        return new Applied(delta, -settled, Math.addExact(balance, delta), unsettled - settled);
    }

    public static Outcome debit(long balance, long unsettled, long debtLimit, long amount) {
        long wouldBe = Math.subtractExact(balance, amount);
        if (wouldBe < -debtLimit) {
            return new Refused(balance, debtLimit, amount, wouldBe, remainingDebtCapacity(balance, debtLimit));
        }
        return new Applied(-amount, 0, wouldBe, unsettled);
    }

    /** Usage is never refused: what does not fit under the limit is kept as unsettled. */
    public static Applied usage(long balance, long unsettled, long debtLimit, long amount) {
        if (amount < 0) {
            return (Applied) credit(balance, unsettled, -amount);
        }
        if (debit(balance, unsettled, debtLimit, amount) instanceof Applied applied) {
            return applied;
        }
        return new Applied(0, amount, balance, Math.addExact(unsettled, amount));
    }

    /** How much more may be debited before the limit: {@code balance + debtLimit}, never negative. */
    public static long remainingDebtCapacity(long balance, long debtLimit) {
        return Math.max(0, balance + debtLimit);
    }

    public static boolean needsRecharge(long balance, long threshold) {
        return balance < threshold;
    }
}
