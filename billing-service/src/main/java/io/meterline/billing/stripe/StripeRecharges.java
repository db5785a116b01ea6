package io.meterline.billing.stripe;

import java.util.Map;

/** Charging a customer's saved card for an auto-recharge: one PaymentIntent per (balance, recharge sequence). */
public interface StripeRecharges {

    /** What to charge. {@code idempotencyKey} is the same for every attempt of one recharge. */
    record Charge(String stripeCustomer, long amount, String currency, String idempotencyKey, String description,
                  Map<String, String> metadata) {
    }

    /** The PaymentIntent Stripe created: {@code succeeded}, {@code processing}, or declined (with the code). */
    record Result(String paymentIntent, String status, String failureCode) {
        public boolean declined() {
            return failureCode != null;
        }
    }

    /** Whether a Stripe key is configured (without one no recharge is attempted). */
    boolean live();

    /**
     * Creates and confirms an off-session PaymentIntent with the customer's default payment method passed explicitly
     * (a PaymentIntent never falls back to it). A card decline is a {@link Result} with its code, not an exception;
     * other failures are {@link StripeCallException}s (retryable ones may be retried with the same key).
     */
    Result charge(Charge charge) throws StripeCallException;
}
