package io.meterline.cli.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import com.stripe.StripeClient;
import com.stripe.model.Customer;
import com.stripe.model.Subscription;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import io.meterline.devstack.stripe.StripeStandIn;
import io.meterline.model.billing.BillingCollections;
import org.bson.Document;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Webhook deliveries duplicated three times, shuffled and tampered: new customers and subscriptions (whose status
 * then changes twice) make Stripe events at the stand-in, which delivers them itself; on top, every event is sent
 * again three times with a fresh valid signature and once with its body changed after signing, all in a seeded
 * random order. Tampered deliveries must be refused with a 4xx, the others answered 2xx, every event stored once
 * and processed, and webhook-service's customers and subscriptions must end as Stripe has them.
 */
final class ChaosWebhooks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CUSTOMERS = 3;

    /** Faults injected (duplicates and tampered deliveries) and invariant violations found. */
    record Outcome(long faults, long mismatches) {
    }

    private record Delivery(String eventId, String payload, String signature, boolean tampered) {
    }

    private final StripeStandIn standIn;
    private final StripeClient stripe;
    private final String priceId;
    private final String webhookUrl;
    private final String secret;
    private final String mongoConnectionString;
    private final Random random;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    ChaosWebhooks(StripeStandIn standIn, StripeClient stripe, String priceId, String webhookUrl, String secret,
            String mongoConnectionString, long seed) {
        this.standIn = standIn;
        this.stripe = stripe;
        this.priceId = priceId;
        this.webhookUrl = webhookUrl;
        this.secret = secret;
        this.mongoConnectionString = mongoConnectionString;
        this.random = new Random(seed);
    }

    Outcome run() throws Exception {
        int before = standIn.events().size();
        Map<String, String> subscriptionByCustomer = new LinkedHashMap<>();
        for (int i = 0; i < CUSTOMERS; i++) {
            Customer customer = stripe.v1().customers().create(CustomerCreateParams.builder()
                    .setName("chaos webhook " + i).putMetadata("meterline_subject", "chaos-webhook-" + i).build());
            Subscription subscription = stripe.v1().subscriptions().create(SubscriptionCreateParams.builder()
                    .setCustomer(customer.getId()).addItem(SubscriptionCreateParams.Item.builder().setPrice(priceId).build())
                    .build());
            subscriptionByCustomer.put(customer.getId(), subscription.getId());
        }
        // two status changes per subscription, a second apart, so their events differ in `created`
        for (String status : List.of("past_due", "active")) {
            Thread.sleep(1100);
            subscriptionByCustomer.values().forEach(id -> standIn.setSubscriptionStatus(id, status));
        }
        List<JsonNode> events = standIn.events().subList(before, standIn.events().size());
        List<Delivery> deliveries = new ArrayList<>();
        for (JsonNode event : events) {
            String payload = JSON.writeValueAsString(event);
            for (int copy = 0; copy < 3; copy++) {
                deliveries.add(new Delivery(event.path("id").asText(), payload, null, false));
            }
            ObjectNode changed = event.deepCopy();
            if (changed.path("data").path("object") instanceof ObjectNode object) {
                object.put("status", "canceled");
            } else {
                changed.put("type", "customer.deleted");
            }
            deliveries.add(new Delivery(event.path("id").asText(), JSON.writeValueAsString(changed),
                    StripeStandIn.signatureHeader(secret, Instant.now().getEpochSecond(), payload), true));
        }
        Collections.shuffle(deliveries, random);
        Chaos.progress("webhooks: " + events.size() + " Stripe events, " + deliveries.size()
                + " deliveries (each ×3, plus one tampered copy), shuffled");
        long mismatches = 0;
        for (Delivery delivery : deliveries) {
            String signature = delivery.tampered() ? delivery.signature()
                    : StripeStandIn.signatureHeader(secret, Instant.now().getEpochSecond(), delivery.payload());
            int status = send(delivery.payload(), signature);
            boolean ok = delivery.tampered() ? status >= 400 && status < 500 : status >= 200 && status < 300;
            if (!ok) {
                Chaos.progress("  " + (delivery.tampered() ? "tampered" : "valid") + " delivery of " + delivery.eventId()
                        + " answered " + status);
                mismatches++;
            }
        }
        mismatches += checkStored(events);
        mismatches += checkState(subscriptionByCustomer);
        return new Outcome(deliveries.size() - events.size(), mismatches);
    }

    private int send(String payload, String signature) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(webhookUrl)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json; charset=utf-8").header("Stripe-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8)).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Every event stored once and processed; answers how many are not (after a minute). */
    private long checkStored(List<JsonNode> events) throws Exception {
        List<String> ids = events.stream().map(e -> e.path("id").asText()).toList();
        try (MongoClient mongo = MongoClients.create(mongoConnectionString)) {
            var stored = mongo.getDatabase("meterline").getCollection("stripe_webhook_events");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            long processed = 0;
            while (System.nanoTime() < deadline) {
                processed = stored.countDocuments(Filters.and(Filters.in("_id", ids), Filters.eq("status", "processed")));
                if (processed == ids.size()) {
                    return 0;
                }
                Thread.sleep(500);
            }
            Chaos.progress("  only " + processed + " of " + ids.size() + " events stored and processed");
            return ids.size() - processed;
        }
    }

    /** Customers and subscriptions in webhook-service's collections as Stripe has them. */
    private long checkState(Map<String, String> subscriptionByCustomer) {
        long mismatches = 0;
        try (MongoClient mongo = MongoClients.create(mongoConnectionString)) {
            var db = mongo.getDatabase("meterline");
            for (Map.Entry<String, String> entry : subscriptionByCustomer.entrySet()) {
                if (db.getCollection(BillingCollections.CUSTOMERS).find(Filters.eq("_id", entry.getKey())).first() == null) {
                    Chaos.progress("  customer " + entry.getKey() + " missing in " + BillingCollections.CUSTOMERS);
                    mismatches++;
                }
                Document subscription = db.getCollection(BillingCollections.SUBSCRIPTIONS)
                        .find(Filters.eq("_id", entry.getValue())).first();
                String atStripe = standIn.object(entry.getValue()).path("status").asText();
                String kept = subscription == null ? null : subscription.getString("status");
                if (!atStripe.equals(kept)) {
                    Chaos.progress("  subscription " + entry.getValue() + ": Stripe " + atStripe + ", webhook-service " + kept);
                    mismatches++;
                }
            }
        }
        return mismatches;
    }
}
