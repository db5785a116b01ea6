package io.meterline.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.model.Customer;
import com.stripe.model.PaymentIntent;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PaymentIntentCreateParams;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.devstack.testing.StripeStandInResource;
import io.meterline.webhook.config.WebhookConfig;
import io.meterline.webhook.support.Deliveries;
import io.meterline.webhook.support.StripeSigner;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.meterline.webhook.support.Mongo.byId;
import static io.meterline.webhook.support.Mongo.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Auto-recharge PaymentIntents created through stripe-java at the stand-in: their signed
 * {@code payment_intent.succeeded} / {@code payment_intent.payment_failed} webhooks end in one
 * {@code recharge_payments} outcome per PaymentIntent, whatever the number and order of deliveries.
 */
@QuarkusTest
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(value = StripeStandInResource.class, restrictToAnnotatedClass = true)
class RechargePaymentsIT {

    private static String endpointId;

    @TestHTTPResource("/webhooks/stripe")
    URL webhookUrl;
    @Inject
    MongoClient mongo;
    @Inject
    WebhookConfig config;

    private final StripeClient stripe = StripeClient.builder().setApiKey(StripeStandInResource.API_KEY)
            .setApiBase(SharedInfrastructure.stripe().apiBase()).build();

    @BeforeEach
    void registerEndpoint() {
        if (endpointId == null) {
            endpointId = SharedInfrastructure.stripe().addWebhookEndpoint(webhookUrl.toString(),
                    config.signingSecrets().get(0));
        }
    }

    @Test
    void succeededWebhookDeliveredThreeTimesAndOutOfOrderRecordsOneSuccess() throws Exception {
        String account = "acme-" + UUID.randomUUID().toString().substring(0, 8) + "|usd";
        Customer customer = customer("pm_card_visa");
        PaymentIntent intent = recharge(customer, account, "pm_card_visa");
        assertThat(intent.getStatus()).isEqualTo("succeeded");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Document payment = byId(mongo, "recharge_payments", intent.getId());
            assertThat(payment).isNotNull();
            assertThat(payment.getBoolean("succeeded")).isTrue();
        });
        JsonNode succeeded = eventOf(intent.getId(), "payment_intent.succeeded");
        // two redeliveries of the success, then a failure of the same PaymentIntent dated earlier (a declined first
        // attempt whose webhook arrives last): the outcome stays a success
        Deliveries.deliver(succeeded.toString(), signed(succeeded.toString()));
        Deliveries.deliver(succeeded.toString(), signed(succeeded.toString()));
        ObjectNode failed = ((ObjectNode) succeeded.deepCopy());
        failed.put("id", "evt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24));
        failed.put("type", "payment_intent.payment_failed");
        failed.put("created", succeeded.get("created").asLong() - 5);
        ObjectNode failedIntent = (ObjectNode) failed.path("data").path("object");
        failedIntent.put("status", "requires_payment_method");
        failedIntent.putObject("last_payment_error").put("code", "card_declined").put("type", "card_error");
        Deliveries.deliver(failed.toString(), signed(failed.toString())).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(event(mongo, failed.get("id").asText()).getString("status")).isEqualTo("processed"));

        Document payment = byId(mongo, "recharge_payments", intent.getId());
        assertThat(payment.getBoolean("succeeded")).isTrue();
        assertThat(payment.getString("account")).isEqualTo(account);
        assertThat(payment.get("sequence", Number.class).longValue()).isEqualTo(3);
        assertThat(payment.get("amount", Number.class).longValue()).isEqualTo(1500);
        assertThat(payment.getString("stripeCustomer")).isEqualTo(customer.getId());
        assertThat(mongo.getDatabase(database()).getCollection("recharge_payments")
                .countDocuments(new Document("_id", intent.getId()))).isEqualTo(1);
        // the succeeded event was stored once (redeliveries are duplicates)
        assertThat(mongo.getDatabase(database()).getCollection("stripe_webhook_events")
                .countDocuments(new Document("_id", succeeded.get("id").asText()))).isEqualTo(1);
    }

    @Test
    void declinedCardRecordsTheFailureWithStripesCode() {
        String account = "globex-" + UUID.randomUUID().toString().substring(0, 8) + "|usd";
        Customer customer = customer("pm_card_chargeDeclined");
        assertThatThrownBy(() -> recharge(customer, account, "pm_card_chargeDeclined"))
                .isInstanceOf(CardException.class)
                .satisfies(e -> assertThat(((CardException) e).getCode()).isEqualTo("card_declined"));
        String intentId = SharedInfrastructure.stripe().paymentIntents().stream()
                .filter(pi -> pi.path("customer").asText().equals(customer.getId()))
                .map(pi -> pi.get("id").asText()).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Document payment = byId(mongo, "recharge_payments", intentId);
            assertThat(payment).isNotNull();
            assertThat(payment.getString("failureCode")).isEqualTo("card_declined");
            assertThat(payment.getBoolean("succeeded")).isFalse();
            assertThat(payment.getBoolean("handled")).isFalse();
        });
    }

    @Test
    void confirmingWithoutAPaymentMethodDoesNotFallBackToTheCustomerDefault() {
        Customer customer = customer("pm_card_visa");
        assertThatThrownBy(() -> stripe.v1().paymentIntents().create(PaymentIntentCreateParams.builder()
                .setAmount(100L).setCurrency("usd").setCustomer(customer.getId()).setConfirm(true).build()))
                .hasMessageContaining("missing a payment method");
    }

    private Customer customer(String defaultPaymentMethod) {
        try {
            return stripe.v1().customers().create(CustomerCreateParams.builder()
                    .setInvoiceSettings(CustomerCreateParams.InvoiceSettings.builder()
                            .setDefaultPaymentMethod(defaultPaymentMethod).build()).build());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private PaymentIntent recharge(Customer customer, String account, String paymentMethod) throws Exception {
        return stripe.v1().paymentIntents().create(PaymentIntentCreateParams.builder()
                .setAmount(1500L).setCurrency("usd").setCustomer(customer.getId()).setPaymentMethod(paymentMethod)
                .addPaymentMethodType("card").setOffSession(true).setConfirm(true)
                .putMetadata("meterline_account", account).putMetadata("meterline_recharge_sequence", "3").build(),
                RequestOptions.builder().setIdempotencyKey("meterline-recharge-" + account + "-3").build());
    }

    private static JsonNode eventOf(String intentId, String type) {
        List<JsonNode> events = SharedInfrastructure.stripe().events().stream()
                .filter(e -> e.path("type").asText().equals(type)
                        && e.path("data").path("object").path("id").asText().equals(intentId)).toList();
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    private String signed(String body) {
        return StripeSigner.header(config.signingSecrets().get(0), body);
    }

    private String database() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("quarkus.mongodb.database", String.class);
    }
}
