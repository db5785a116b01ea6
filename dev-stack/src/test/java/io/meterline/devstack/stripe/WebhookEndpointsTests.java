package io.meterline.devstack.stripe;

import com.stripe.model.Customer;
import com.stripe.model.Event;
import com.stripe.model.Price;
import com.stripe.model.Subscription;
import com.stripe.model.billing.Meter;
import com.stripe.net.Webhook;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.billing.MeterCreateParams;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Signed webhook deliveries to registered endpoints. */
class WebhookEndpointsTests extends StandInTestBase {

    @Test
    void webhooksAreSignedVerifiablyAndRetriedUntilAccepted() throws Exception {
        List<String[]> received = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        receiver.createContext("/webhooks/stripe", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = calls.incrementAndGet() == 1 ? 500 : 200;
            if (status == 200) {
                received.add(new String[] {body, exchange.getRequestHeaders().getFirst("Stripe-Signature")});
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        String secret = "whsec_" + UUID.randomUUID().toString().replace("-", "");
        String endpoint = standIn.addWebhookEndpoint("http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks/stripe",
                secret);
        try {
            Meter meter = meter("hooked", MeterCreateParams.DefaultAggregation.Formula.SUM);
            Price price = meteredPrice(meter);
            Customer customer = customer("w@example.com");
            stripe.v1().subscriptions().create(SubscriptionCreateParams.builder().setCustomer(customer.getId())
                    .addItem(SubscriptionCreateParams.Item.builder().setPrice(price.getId()).build()).build());

            await().atMost(Duration.ofSeconds(15)).until(() -> received.stream().map(r -> verify(r, secret).getType())
                    .toList().containsAll(List.of("customer.created", "customer.subscription.created")));
            Event subscriptionCreated = received.stream().map(r -> verify(r, secret))
                    .filter(e -> e.getType().equals("customer.subscription.created")).findFirst().orElseThrow();
            Subscription sub = (Subscription) subscriptionCreated.getDataObjectDeserializer().getObject().orElseThrow();
            assertThat(sub.getItems().getData().get(0).getPrice().getRecurring().getMeter()).isEqualTo(meter.getId());
            assertThat(standIn.webhookDeliveries()).anyMatch(d -> d.status() == 500 && d.attempt() == 1);

            String[] original = received.stream().filter(r -> r[0].contains("w@example.com")).findFirst().orElseThrow();
            String[] tampered = {original[0].replace("w@example.com", "evil@example.com"), original[1]};
            assertThatThrownBy(() -> Webhook.constructEvent(tampered[0], tampered[1], secret))
                    .isInstanceOf(com.stripe.exception.SignatureVerificationException.class);
        } finally {
            standIn.removeWebhookEndpoint(endpoint);
            receiver.stop(0);
        }
    }

    private static Event verify(String[] delivery, String secret) {
        try {
            return Webhook.constructEvent(delivery[0], delivery[1], secret);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
