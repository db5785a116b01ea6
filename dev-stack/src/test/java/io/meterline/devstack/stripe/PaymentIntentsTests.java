package io.meterline.devstack.stripe;

import com.stripe.exception.CardException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Customer;
import com.stripe.model.PaymentIntent;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentIntentCreateParams;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PaymentIntents: off-session confirmation, test payment methods, events, idempotency. */
class PaymentIntentsTests extends StandInTestBase {

    @Test
    void offSessionIntentWithAWorkingCardSucceedsAndSendsItsEvents() throws Exception {
        Customer customer = customerWithCard("pm_card_visa");
        assertThat(customer.getInvoiceSettings().getDefaultPaymentMethod()).isEqualTo("pm_card_visa");
        PaymentIntent intent = stripe.v1().paymentIntents().create(charge(customer, "pm_card_visa", 1200));
        assertThat(intent.getStatus()).isEqualTo("succeeded");
        assertThat(intent.getAmountReceived()).isEqualTo(1200);
        assertThat(intent.getMetadata()).containsEntry("meterline_account", "acme|usd");
        assertThat(stripe.v1().paymentIntents().retrieve(intent.getId()).getStatus()).isEqualTo("succeeded");
        assertThat(standIn.events()).extracting(e -> e.get("type").asText())
                .contains("payment_intent.created", "payment_intent.succeeded");
    }

    @Test
    void declinedTestCardFailsWithACardErrorAndAFailureEvent() throws Exception {
        Customer customer = customerWithCard("pm_card_chargeDeclined");
        assertThatThrownBy(() -> stripe.v1().paymentIntents().create(charge(customer, "pm_card_chargeDeclined", 500)))
                .isInstanceOfSatisfying(CardException.class, e -> {
                    assertThat(e.getCode()).isEqualTo("card_declined");
                    assertThat(e.getDeclineCode()).isEqualTo("generic_decline");
                    assertThat(e.getStripeError().getPaymentIntent().getStatus()).isEqualTo("requires_payment_method");
                });
        assertThat(standIn.events()).extracting(e -> e.get("type").asText()).contains("payment_intent.payment_failed");
    }

    @Test
    void confirmationNeedsAnExplicitPaymentMethod() throws Exception {
        Customer customer = customerWithCard("pm_card_visa");
        PaymentIntent intent = stripe.v1().paymentIntents().create(PaymentIntentCreateParams.builder()
                .setAmount(100L).setCurrency("usd").setCustomer(customer.getId()).build());
        assertThat(intent.getStatus()).isEqualTo("requires_payment_method");
        assertThatThrownBy(() -> stripe.v1().paymentIntents().confirm(intent.getId()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("missing a payment method");
        PaymentIntent confirmed = stripe.v1().paymentIntents().confirm(intent.getId(),
                PaymentIntentConfirmParams.builder().setPaymentMethod("pm_card_visa").build());
        assertThat(confirmed.getStatus()).isEqualTo("succeeded");
    }

    @Test
    void twentyConcurrentRequestsWithOneIdempotencyKeyCreateOneIntent() throws Exception {
        Customer customer = customerWithCard("pm_card_visa");
        RequestOptions key = RequestOptions.builder().setIdempotencyKey("recharge-acme-1").build();
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Callable<String>> calls = java.util.Collections.nCopies(20,
                    () -> stripe.v1().paymentIntents().create(charge(customer, "pm_card_visa", 700), key).getId());
            List<String> ids = new java.util.ArrayList<>();
            for (Future<String> id : pool.invokeAll(calls)) {
                ids.add(id.get());
            }
            assertThat(ids).containsOnly(ids.get(0));
        } finally {
            pool.shutdown();
        }
        assertThat(standIn.paymentIntents()).hasSize(1);
    }

    private static Customer customerWithCard(String paymentMethod) throws Exception {
        return stripe.v1().customers().create(CustomerCreateParams.builder()
                .setInvoiceSettings(CustomerCreateParams.InvoiceSettings.builder()
                        .setDefaultPaymentMethod(paymentMethod).build()).build());
    }

    private static PaymentIntentCreateParams charge(Customer customer, String paymentMethod, long amount) {
        return PaymentIntentCreateParams.builder().setAmount(amount).setCurrency("usd").setCustomer(customer.getId())
                .setPaymentMethod(paymentMethod).addPaymentMethodType("card").setOffSession(true).setConfirm(true)
                .putMetadata("meterline_account", "acme|usd").build();
    }
}
