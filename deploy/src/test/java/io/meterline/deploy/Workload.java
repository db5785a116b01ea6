package io.meterline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.billing.Meter;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.billing.MeterCreateParams;
import io.meterline.devstack.testing.SharedInfrastructure;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.meterline.deploy.Pipeline.JSON;
import static org.awaitility.Awaitility.await;

/**
 * A demo-like run through the running pipeline: a Stripe account set up through stripe-java (its webhooks reach
 * webhook-service), a meter, events through the ingest API (one refused), a broken record on the topic (DLQ), and a
 * reporting run that sends to Stripe. Afterwards every business metric has been touched.
 */
final class Workload {

    /** A value that appears only inside event payloads: it must never reach a log line. */
    final String payloadMarker = "payload-" + UUID.randomUUID();
    final String producerToken = SharedInfrastructure.jwt().token("ops-producer", Set.of("usage:write"), List.of(),
            Duration.ofHours(1));
    String customerId;
    JsonNode reportRun;

    static Workload run(Pipeline pipeline) throws StripeException {
        Workload workload = new Workload();
        workload.execute(pipeline);
        return workload;
    }

    private void execute(Pipeline pipeline) throws StripeException {
        StripeClient stripe = StripeClient.builder().setApiKey(pipeline.stripeKey)
                .setApiBase(SharedInfrastructure.stripe().apiBase()).build();
        Meter meter = stripe.v1().billing().meters().create(MeterCreateParams.builder().setDisplayName("API calls")
                .setEventName("api_calls").setDefaultAggregation(MeterCreateParams.DefaultAggregation.builder()
                        .setFormula(MeterCreateParams.DefaultAggregation.Formula.SUM).build()).build());
        var price = stripe.v1().prices().create(PriceCreateParams.builder().setCurrency("usd").setUnitAmount(1L)
                .setProductData(PriceCreateParams.ProductData.builder().setName("API calls").build())
                .setRecurring(PriceCreateParams.Recurring.builder().setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                        .setUsageType(PriceCreateParams.Recurring.UsageType.METERED).setMeter(meter.getId()).build())
                .build());
        Customer customer = stripe.v1().customers().create(CustomerCreateParams.builder().setName("Acme Corp")
                .putMetadata("meterline_subject", "acme").build());
        customerId = customer.getId();
        stripe.v1().subscriptions().create(SubscriptionCreateParams.builder().setCustomer(customer.getId())
                .addItem(SubscriptionCreateParams.Item.builder().setPrice(price.getId()).build()).build());

        pipeline.send("PUT", "billing", "/v1/meters/api-calls", pipeline.operatorToken,
                JSON.createObjectNode().put("eventType", "api.call").put("aggregation", "COUNT").put("stripeEventName", "api_calls"));

        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        // seconds 26 to 30 of the minute before: one hour's window gets all five calls whenever this runs (now - 0..4 s
        // put them in two windows in an hour's first four seconds, and the window holding 5 was never there)
        Instant calls = now.truncatedTo(ChronoUnit.MINUTES).minusSeconds(30);
        ArrayNode batch = JSON.createArrayNode();
        for (int i = 0; i < 5; i++) {
            batch.add(event("call-acme-" + i, "acme", calls.minusSeconds(i)));
        }
        batch.add(event("call-free-0", "free-tier", now));
        batch.add(event("call-tomorrow", "acme", now.plus(1, ChronoUnit.DAYS)));
        JsonNode answer = pipeline.send("POST", "ingest", "/v1/events", producerToken, batch);
        if (answer.path("accepted").asInt() != 6 || answer.path("rejected").asInt() != 1) {
            throw new IllegalStateException("unexpected ingest answer " + answer);
        }

        try (var producer = new KafkaProducer<String, String>(Map.of(
                "bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("usage-events", "acme", "{not json " + payloadMarker)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }

        // webhook-service has the customer and subscription item once Stripe's events are processed
        await("webhook events processed").atMost(Duration.ofSeconds(60)).until(() -> pipeline.send("GET", "webhook",
                "/admin/webhook-events?status=processed", pipeline.operatorToken, null).path("items").size() >= 3);
        await("events aggregated").atMost(Duration.ofSeconds(60)).until(() -> pipeline.send("GET", "billing",
                "/v1/usage?meter=api-calls&customer=acme&window=hour&from=" + now.minus(1, ChronoUnit.DAYS) + "&to="
                        + now.plus(1, ChronoUnit.HOURS), pipeline.operatorToken, null).toString().contains("\"value\":5"));
        await("a report run delivers to Stripe").atMost(Duration.ofSeconds(60)).until(() -> {
            reportRun = pipeline.send("POST", "billing", "/admin/report-runs", pipeline.operatorToken, JSON.createObjectNode());
            return reportRun.path("reported").asInt() >= 1;
        });
    }

    private ObjectNode event(String id, String subject, Instant time) {
        ObjectNode node = JSON.createObjectNode().put("id", id).put("source", "ops-it").put("type", "api.call")
                .put("subject", subject).put("time", time.toString());
        node.putObject("data").put("note", payloadMarker);
        return node;
    }
}
