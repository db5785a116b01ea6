package io.meterline.model.billing;

/**
 * What Stripe said about one auto-recharge PaymentIntent ({@code _id} = {@code pi_…}). Written by webhook-service
 * from {@code payment_intent.succeeded} / {@code payment_intent.payment_failed}; read by billing-service, which
 * credits the balance once per PaymentIntent (idempotency key {@code recharge:<pi>}) and sets {@link #handled}.
 * The fields are order-independent: {@link #succeeded} is only ever set to true, a failure never clears it, so the
 * same events delivered several times and in any order end in the same document.
 */
public class RechargePaymentDocument {
    /** The PaymentIntent id, {@code pi_…}. */
    public String id;
    /** Billing's balance account ({@code metadata.meterline_account}), e.g. {@code acme|usd}. */
    public String account;
    /** The recharge sequence the PaymentIntent was created for ({@code metadata.meterline_recharge_sequence}). */
    public long sequence;
    public long amount;
    public String currency;
    public String stripeCustomer;
    /** Set by {@code payment_intent.succeeded}; never unset. */
    public boolean succeeded;
    /** Set by {@code payment_intent.payment_failed}: Stripe's {@code last_payment_error.code} (e.g. {@code card_declined}). */
    public String failureCode;
    public String failureMessage;
    /** {@code created} of the newest event applied, epoch seconds (for display; the flags above need no ordering). */
    public long lastEventCreated;
    /** +1 on every write by webhook-service: billing marks a payment handled only at the revision it read. */
    public long revision;
    /** False whenever webhook-service wrote news billing has not acted on yet. */
    public boolean handled;
}
