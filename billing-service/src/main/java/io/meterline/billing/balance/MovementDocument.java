package io.meterline.billing.balance;

import java.util.Date;

/**
 * One applied movement in the append-only history ({@code balance_transactions}, {@code _id} =
 * {@code <account>|<key>}). The key is the client's idempotency key ({@code api:…}), a usage window version
 * ({@code usage:<window>:<version>}) or a PaymentIntent ({@code recharge:pi_…}). Σ {@code delta} over an account's
 * history is its balance; Σ {@code unsettledDelta} its unsettled amount.
 */
public class MovementDocument {

    public static final String COLLECTION = "balance_transactions";

    public String id;
    public String account;
    public String customer;
    public String currency;
    public String key;
    /** {@code credit}, {@code debit}, {@code usage}, {@code recharge}. */
    public String kind;
    /** What was asked for (positive). */
    public long amount;
    public String reason;
    public String reference;
    /** The request's identity: the same key with another fingerprint is {@code idempotency_key_reused}. */
    public String fingerprint;
    public long delta;
    public long unsettledDelta;
    public long balanceAfter;
    public long unsettledAfter;
    public long debtLimit;
    public long threshold;
    /** Position in the account's history (1, 2, …). */
    public long sequence;
    public Date createdAt;
}
