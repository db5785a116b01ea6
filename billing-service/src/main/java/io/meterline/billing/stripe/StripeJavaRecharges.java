package io.meterline.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.PaymentIntent;
import com.stripe.net.RequestOptions;
import com.stripe.param.PaymentIntentCreateParams;
import io.meterline.billing.config.BillingConfig;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

/** {@link StripeRecharges} on stripe-java. */
@Singleton
public class StripeJavaRecharges implements StripeRecharges {

    private final Instance<StripeClient> client;
    private final StripeCaller caller;
    private final BillingConfig config;

    public StripeJavaRecharges(Instance<StripeClient> client, StripeCaller caller, BillingConfig config) {
        this.client = client;
        this.caller = caller;
        this.config = config;
    }

    @Override
    public boolean live() {
        return config.stripe().apiKey().filter(k -> !k.isBlank()).isPresent();
    }

    @Override
    public Result charge(Charge charge) throws StripeCallException {
        Customer customer = caller.call("customer " + charge.stripeCustomer(),
                () -> client.get().v1().customers().retrieve(charge.stripeCustomer()));
        String paymentMethod = customer.getInvoiceSettings() == null ? null
                : customer.getInvoiceSettings().getDefaultPaymentMethod();
        if (paymentMethod == null) {
            return new Result(null, "requires_payment_method", "no_default_payment_method");
        }
        PaymentIntentCreateParams.Builder params = PaymentIntentCreateParams.builder()
                .setAmount(charge.amount())
                .setCurrency(charge.currency())
                .setCustomer(charge.stripeCustomer())
                .setPaymentMethod(paymentMethod)
                .addPaymentMethodType("card")
                .setOffSession(true)
                .setConfirm(true)
                .setDescription(charge.description());
        charge.metadata().forEach(params::putMetadata);
        // the same key for every attempt, on every instance: Stripe creates one PaymentIntent and replays its answer
        RequestOptions options = RequestOptions.builder().setIdempotencyKey(charge.idempotencyKey()).build();
        try {
            PaymentIntent intent = caller.call("recharge " + charge.idempotencyKey(),
                    () -> client.get().v1().paymentIntents().create(params.build(), options));
            return new Result(intent.getId(), intent.getStatus(), null);
        } catch (StripeCallException e) {
            if (e.getCause() instanceof StripeException stripe && stripe.getStripeError() != null
                    && "card_error".equals(stripe.getStripeError().getType())) {
                PaymentIntent intent = stripe.getStripeError().getPaymentIntent();
                return new Result(intent == null ? null : intent.getId(), intent == null ? null : intent.getStatus(),
                        stripe.getStripeError().getCode() == null ? "card_error" : stripe.getStripeError().getCode());
            }
            throw e;
        }
    }
}
