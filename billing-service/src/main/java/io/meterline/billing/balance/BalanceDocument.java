package io.meterline.billing.balance;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * One balance ({@code balances}, {@code _id} = {@code customer|currency}). Every change is one compare-and-set
 * replace on {@code {_id, version}}: the new balance, the movement that caused it (kept in {@link #pending} until it
 * is copied to the history collection), and any notification or recharge it triggers (the outbox) are written in
 * that single document write. Nothing is ever half-applied; see docs/decisions/0110.
 */
public class BalanceDocument {

    public static final String COLLECTION = "balances";

    public String id;
    public String customer;
    public String currency;
    /** Minor units; may be negative down to {@code -debtLimit}. */
    public long balance;
    /** Usage that did not fit under the debt limit, settled first from the next credit. */
    public long unsettled;
    /** Compare-and-set counter: +1 on every write. */
    public long version;
    /** Movements applied so far (the sequence number of the last one). */
    public long movements;
    /** This customer's limit; null = {@code billing.balance.debt-limit}. */
    public Long debtLimit;
    /** This customer's threshold; null = {@code billing.balance.recharge-threshold}. */
    public Long rechargeThreshold;
    /** {@code prepaid} and/or {@code stripe_metered}. */
    public List<String> modes = new ArrayList<>();
    /** Null = no auto-recharge. */
    public AutoRecharge autoRecharge;
    /** Whether the balance is below its threshold: a crossing is a change of this flag from false to true. */
    public boolean belowThreshold;
    /** Crossings so far: numbers notifications and recharges. */
    public long rechargeSequence;
    /** The recharge of the latest crossing (null when none was wanted). */
    public Recharge recharge;
    /** Applied movements not yet copied to {@code balance_transactions}. */
    public List<MovementDocument> pending = new ArrayList<>();
    /** Notifications written with the movement that caused them, removed once Kafka acknowledged them. */
    public List<Notification> outbox = new ArrayList<>();
    /**
     * Keys of every movement applied so far ({@link KeyFilter}, written with each movement); null for a balance
     * created before filters, whose movements are then always looked up in the history.
     */
    public byte[] keyFilter;
    public Date updatedAt;

    /** Auto-recharge settings. */
    public static class AutoRecharge {
        public long amount;
        public String stripeCustomer;
    }

    /** One recharge attempt (one per crossing). */
    public static class Recharge {
        public long sequence;
        public long amount;
        /** {@code pending} (PaymentIntent to create), {@code requested}, {@code succeeded}, {@code failed}. */
        public String status;
        public String paymentIntent;
        public String failureCode;
        public Date requestedAt;
    }

    /** A {@code balance.recharge_needed} record waiting for Kafka. */
    public static class Notification {
        /** Stable id ({@code <account>:recharge_needed:<sequence>}): consumers deduplicate on it. */
        public String id;
        public String type;
        public long sequence;
        public long balance;
        public long threshold;
        public Date at;
    }

    public static String idOf(String customer, String currency) {
        return customer + "|" + currency;
    }

    /** A copy safe to change: lists and nested settings are copied (movements and notifications are never changed). */
    public BalanceDocument copy() {
        BalanceDocument c = new BalanceDocument();
        c.id = id;
        c.customer = customer;
        c.currency = currency;
        c.balance = balance;
        c.unsettled = unsettled;
        c.version = version;
        c.movements = movements;
        c.debtLimit = debtLimit;
        c.rechargeThreshold = rechargeThreshold;
        c.modes = new ArrayList<>(modes == null ? List.of() : modes);
        if (autoRecharge != null) {
            c.autoRecharge = new AutoRecharge();
            c.autoRecharge.amount = autoRecharge.amount;
            c.autoRecharge.stripeCustomer = autoRecharge.stripeCustomer;
        }
        c.belowThreshold = belowThreshold;
        c.rechargeSequence = rechargeSequence;
        if (recharge != null) {
            c.recharge = new Recharge();
            c.recharge.sequence = recharge.sequence;
            c.recharge.amount = recharge.amount;
            c.recharge.status = recharge.status;
            c.recharge.paymentIntent = recharge.paymentIntent;
            c.recharge.failureCode = recharge.failureCode;
            c.recharge.requestedAt = recharge.requestedAt;
        }
        c.pending = new ArrayList<>(pending == null ? List.of() : pending);
        c.outbox = new ArrayList<>(outbox == null ? List.of() : outbox);
        c.keyFilter = keyFilter; // never changed in place (KeyFilter.with copies)
        c.updatedAt = updatedAt;
        return c;
    }
}
