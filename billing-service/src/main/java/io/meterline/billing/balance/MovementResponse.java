package io.meterline.billing.balance;

import java.time.Instant;

/**
 * The answer to a credit or debit (and one history entry): the movement and the balance right after it. A replay
 * with the same idempotency key gets exactly this answer again, with {@code replayed: true}.
 */
public record MovementResponse(String idempotencyKey, String kind, long amount, String reason, String reference,
        long delta, long balance, long unsettled, long debtLimit, long remainingDebtCapacity, boolean needsRecharge,
        long sequence, Instant createdAt, boolean replayed) {

    static MovementResponse of(MovementDocument m, boolean replayed) {
        String key = m.key.startsWith("api:") ? m.key.substring(4) : m.key;
        return new MovementResponse(key, m.kind, m.amount, m.reason, m.reference, m.delta, m.balanceAfter,
                m.unsettledAfter, m.debtLimit, BalanceRules.remainingDebtCapacity(m.balanceAfter, m.debtLimit),
                BalanceRules.needsRecharge(m.balanceAfter, m.threshold), m.sequence,
                m.createdAt == null ? null : m.createdAt.toInstant(), replayed);
    }
}
