package io.meterline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.stripe.StripeClient;
import com.stripe.model.Customer;
import com.stripe.param.CustomerCreateParams;
import io.meterline.model.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.meterline.cli.Demo.JSON;
import static io.meterline.cli.Demo.step;

/**
 * The demo's prepaid part: a customer who buys call minutes in advance. A top-up, calls drawing the balance down,
 * the debt limit refusing a debit with its numbers, the entitlement answer turning to {@code allowed:false}, and an
 * auto-recharge that charges the card once (Stripe stand-in → signed webhook → webhook-service → billing) and brings
 * the balance back.
 */
final class PrepaidDemo {

    /** Billing settings the demo's stack starts with: what a minute costs prepaid customers (2 cents). */
    static final Map<String, String> BILLING_CONFIG = Map.of("billing.balance.unit-prices.call-minutes", "2");

    private static final String CUSTOMER = "hooli";

    private final Demo demo;
    private final Stack stack;
    private final String runId;

    PrepaidDemo(Demo demo, Stack stack, String runId) {
        this.demo = demo;
        this.stack = stack;
        this.runId = runId;
    }

    void run() throws Exception {
        String billing = stack.billingUrl();
        String operator = stack.operatorToken();
        String producer = stack.jwt().token("hooli-dialer", Set.of("usage:write", "usage:read"), List.of(CUSTOMER),
                Duration.ofHours(1));

        step("13", "A prepaid customer: hooli buys call minutes in advance (2 cents a minute, debt limit $5)");
        JsonNode settings = demo.put(billing + "/v1/balances/" + CUSTOMER, operator, JSON.createObjectNode()
                .put("debtLimit", 500).put("rechargeThreshold", 0)
                .set("billingModes", JSON.createArrayNode().add("prepaid")));
        System.out.printf("   PUT /v1/balances/hooli → %d: limit %d, recharge threshold %d, modes %s%n",
                settings.path("_status").asInt(), settings.path("debtLimit").asLong(),
                settings.path("rechargeThreshold").asLong(), settings.path("billingModes"));
        JsonNode topUp = move("credits", operator, 1000, "top-up-" + runId, "card top-up");
        System.out.printf("   top-up of $10.00 → balance %s%n", money(topUp.path("balance").asLong()));

        step("14", "Calls draw the balance down as billing counts them (one debit per changed window, never twice)");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ArrayNode batch = JSON.createArrayNode();
        int[] minutes = {120, 90, 150, 20};
        for (int i = 0; i < minutes.length; i++) {
            batch.add(Demo.event("hooli-call-" + runId + "-" + i, "call.minutes", CUSTOMER, now.minusSeconds(60 - i),
                    Map.of("minutes", minutes[i])));
        }
        JsonNode accepted = demo.result.answer("14 hooli's calls", demo.post(stack.ingestUrl() + "/v1/events", producer, batch));
        System.out.printf("   4 calls (380 minutes) through the ingest API → %d%n", accepted.path("_status").asInt());
        JsonNode balance = waitFor(b -> b.path("balance").asLong() == 1000 - 760, operator);
        demo.result.value("14 balance", balance.path("balance").asLong());
        System.out.printf("   balance %s after 380 minutes × 2¢ = $7.60; remaining debt capacity %s%n",
                money(balance.path("balance").asLong()), money(balance.path("remainingDebtCapacity").asLong()));
        entitlement(producer);

        step("15", "The debt limit: a $8.00 number-porting fee would take hooli below −$5.00");
        JsonNode refused = move("debits", operator, 800, "porting-" + runId, "number porting");
        System.out.printf("   POST …/debits 800 → %d %s: balance %s, limit %s, would be %s, remaining %s (nothing changed)%n",
                refused.path("_status").asInt(), refused.path("code").asText(), money(refused.path("balance").asLong()),
                money(refused.path("debtLimit").asLong()), money(refused.path("wouldBe").asLong()),
                money(refused.path("remainingDebtCapacity").asLong()));
        JsonNode fits = move("debits", operator, 740, "porting-small-" + runId, "number porting (reduced)");
        demo.result.value("15 refused", refused.path("_status").asInt() + " " + refused.path("code").asText());
        demo.result.value("15 balance", fits.path("balance").asLong());
        System.out.printf("   POST …/debits 740 → %d: balance %s, exactly at the limit, remaining %s%n",
                fits.path("_status").asInt(), money(fits.path("balance").asLong()),
                money(fits.path("remainingDebtCapacity").asLong()));
        entitlement(producer);
        System.out.println("   topic '" + Topics.BILLING_NOTIFICATIONS + "' (key = customer): "
                + notification(CUSTOMER));

        step("16", "Auto-recharge: $20.00 on hooli's saved card, charged once (Stripe PaymentIntent, off-session)");
        StripeClient stripe = StripeClient.builder().setApiKey(Stack.STANDIN_API_KEY).setApiBase(stack.stripeApiBase()).build();
        Customer card = stripe.v1().customers().create(CustomerCreateParams.builder().setName("Hooli")
                .setInvoiceSettings(CustomerCreateParams.InvoiceSettings.builder().setDefaultPaymentMethod("pm_card_visa").build())
                .build());
        ObjectNode auto = JSON.createObjectNode();
        auto.putObject("autoRecharge").put("amount", 2000).put("stripeCustomer", card.getId());
        demo.put(billing + "/v1/balances/" + CUSTOMER, operator, auto);
        JsonNode recovered = waitFor(b -> "succeeded".equals(b.path("recharge").path("status").asText()), operator);
        System.out.printf("   PaymentIntent %s (%s) → payment_intent.succeeded → webhook-service → credit%n",
                recovered.path("recharge").path("paymentIntent").asText(), card.getId());
        System.out.printf("   balance %s, remaining debt capacity %s, recharge #%d %s%n",
                money(recovered.path("balance").asLong()), money(recovered.path("remainingDebtCapacity").asLong()),
                recovered.path("recharge").path("sequence").asLong(), recovered.path("recharge").path("status").asText());
        long intents = stripe.v1().paymentIntents().list(com.stripe.param.PaymentIntentListParams.builder()
                .setCustomer(card.getId()).build()).getData().size();
        System.out.println("   PaymentIntents at Stripe for this card: " + intents);
        demo.result.value("16 recharge", recovered.path("recharge").path("status").asText());
        demo.result.value("16 balance", recovered.path("balance").asLong());
        demo.result.value("16 payment intents", intents);
        entitlement(producer);
        JsonNode history = demo.get(billing + "/v1/balances/" + CUSTOMER + "/transactions", operator);
        demo.result.value("16 history consistent", history.path("consistent").asBoolean());
        System.out.printf("   history: %d movements, recomputed balance %s = stored %s: %s%n",
                history.path("transactions").size(), money(history.path("recomputedBalance").asLong()),
                money(history.path("balance").asLong()), history.path("consistent").asBoolean() ? "consistent" : "MISMATCH");
    }

    private JsonNode move(String kind, String token, long amount, String key, String reason) throws Exception {
        return demo.post(stack.billingUrl() + "/v1/balances/" + CUSTOMER + "/" + kind, token, JSON.createObjectNode()
                .put("amount", amount).put("idempotencyKey", key).put("reason", reason));
    }

    private void entitlement(String token) throws Exception {
        JsonNode answer = demo.get(stack.billingUrl() + "/v1/entitlements/" + CUSTOMER + "?meter=call-minutes", token);
        System.out.printf("   GET /v1/entitlements/hooli?meter=call-minutes → allowed:%s reason:%s%n",
                answer.path("allowed").asBoolean(), answer.path("reason").asText());
    }

    private JsonNode waitFor(java.util.function.Predicate<JsonNode> condition, String token) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        JsonNode balance = null;
        while (System.currentTimeMillis() < deadline) {
            balance = demo.get(stack.billingUrl() + "/v1/balances/" + CUSTOMER, token);
            if (condition.test(balance)) {
                return balance;
            }
            Thread.sleep(250);
        }
        return balance;
    }

    private String notification(String customer) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(Topics.BILLING_NOTIFICATIONS)
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.currentTimeMillis() + 15_000;
            while (System.currentTimeMillis() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(250))) {
                    if (customer.equals(record.key())) {
                        return record.value();
                    }
                }
            }
            return "(none yet)";
        }
    }

    private static String money(long cents) {
        return (cents < 0 ? "−$" : "$") + String.format("%d.%02d", Math.abs(cents) / 100, Math.abs(cents) % 100);
    }
}
