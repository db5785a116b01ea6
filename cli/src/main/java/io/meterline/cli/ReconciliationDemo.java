package io.meterline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterline.devstack.provider.UsageProviderStandIn;
import io.meterline.model.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's reconciliation steps: a telephony provider that lost 3 % of its webhooks, found and recovered by a
 * usage-source run; a reconciliation against Stripe; one window explained down to its parts.
 */
final class ReconciliationDemo {

    private static final int CALLS = 1_000;

    private final Demo demo;

    ReconciliationDemo(Demo demo) {
        this.demo = demo;
    }

    void run(Stack stack) throws Exception {
        String token = stack.operatorToken();
        try (UsageProviderStandIn provider = UsageProviderStandIn.start(0)) {
            Demo.step("19", "A telephony provider sends a webhook per call; it recorded " + CALLS
                    + " calls for acme and globex this hour, and 3 % of its webhooks never arrived");
            // billing learns about the provider from configuration: restart it with the source declared
            stack.stopService("billing", false);
            stack.startService("billing", sourceConfig(provider));
            demo.put(stack.billingUrl() + "/v1/meters/call-seconds", token, Demo.JSON.createObjectNode()
                    .put("eventType", "call.completed").put("aggregation", "SUM").put("valuePath", "seconds")
                    .put("stripeEventName", "call_seconds"));
            // the last complete hour: a provider lists calls that have happened
            Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
            UsageProviderStandIn.Calls calls;
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(), ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new StringSerializer())) {
                calls = provider.makeCalls("demo-call", "call.completed", List.of("acme", "globex"), hour, CALLS, 0.03, 3,
                        call -> producer.send(new ProducerRecord<>(Topics.USAGE_EVENTS, call.get("account").get("id").asText(),
                                UsageProviderStandIn.webhookEvent(call, "telephony").toString())));
                producer.flush();
            }
            System.out.printf("   %d calls made, %d webhooks delivered, %d lost (e.g. %s)%n", calls.made(),
                    calls.delivered(), calls.lostIds().size(), calls.lostIds().get(0));
            demo.result.value("19 delivered", calls.delivered());
            demo.result.value("19 lost", calls.lostIds().size());
            demo.result.value("19 counted", awaitEvents(stack, token, hour, calls.delivered()));

            Demo.step("20", "A usage-source run lists the provider's records (paged, bearer auth) and ingests what never"
                    + " arrived, flagged reconciled (POST /admin/reconciliations/sources/telephony/runs)");
            JsonNode run = demo.post(stack.billingUrl() + "/admin/reconciliations/sources/telephony/runs?from="
                    + encode(hour.toString()) + "&to=" + encode(hour.plus(Duration.ofHours(1)).toString()), token,
                    Demo.JSON.createObjectNode());
            System.out.printf("   expected %d, received %d, recovered %d, reliability %.1f %%, alert %s, revenue recovered"
                            + " ≈ %.0f (minor units), %d pages%n", run.path("expected").asLong(), run.path("received").asLong(),
                    run.path("recovered").asLong(), run.path("reliability").asDouble() * 100, run.path("alert").asBoolean(),
                    run.path("estimatedRevenueRecovered").asDouble(), run.path("pages").asLong());
            demo.result.value("20 recovered", run.path("recovered").asLong());
            demo.result.value("20 counted", awaitEvents(stack, token, hour, calls.made()));
            System.out.println("   every call now counted once: " + calls.made() + " events in the windows");

            Demo.step("21", "Reconciliation against Stripe (POST /admin/reconciliations): Meterline, the report ledger"
                    + " and Stripe's hourly summaries, per customer, meter and hour");
            demo.post(stack.billingUrl() + "/admin/report-runs", token, Demo.JSON.createObjectNode());
            JsonNode reconciliation = demo.post(stack.billingUrl() + "/admin/reconciliations", token,
                    Demo.JSON.createObjectNode().put("from", hour.minus(Duration.ofHours(3)).toString())
                            .put("to", Instant.now().toString()));
            System.out.printf("   run %s: %s, corrected %d, %d summary lists%n", reconciliation.path("id").asText(),
                    reconciliation.path("counts"), reconciliation.path("corrected").asLong(),
                    reconciliation.path("summaryLists").asLong());
            demo.result.value("21 corrected", reconciliation.path("corrected").asLong());

            JsonNode acme = demo.get(stack.billingUrl() + "/v1/usage?meter=call-minutes&customer=acme&from="
                    + encode(hour.minus(Duration.ofDays(1)).toString()) + "&to=" + encode(Instant.now().toString()), token);
            String acmeHour = acme.path("windows").path(0).path("start").asText(hour.toString());
            Demo.step("22", "One window explained (GET /v1/usage/explain?meter=call-minutes&customer=acme&hour=" + acmeHour + ")");
            JsonNode explained = demo.get(stack.billingUrl() + "/v1/usage/explain?meter=call-minutes&customer=acme&hour="
                    + encode(acmeHour), token);
            System.out.printf("   total %s (%s of %d events), billed units %d%n", explained.path("total").asText(),
                    explained.path("aggregation").asText(), explained.path("eventCount").asLong(),
                    explained.path("billableUnits").asLong());
            for (JsonNode delta : explained.path("deltas")) {
                System.out.printf("   reported %d at %s as %s (%s)%n", delta.path("amount").asLong(),
                        delta.path("deliveredAt").asText(), delta.path("identifier").asText(), delta.path("outcome").asText());
            }
            System.out.println("   refused to the DLQ this hour: " + explained.path("deadLettered"));
            System.out.printf("   reconciliation: %s, Stripe has %s, ledger %d%n",
                    explained.path("reconciliation").path("windowClass").asText(),
                    explained.path("reconciliation").path("stripe").asText(),
                    explained.path("reconciliation").path("ledger").asLong());
            JsonNode recovered = demo.get(stack.billingUrl() + "/v1/usage/explain?meter=call-seconds&customer=acme&hour="
                    + encode(hour.toString()), token);
            System.out.printf("   call-seconds for acme: %d events, %d of them recovered from the provider (e.g. %s)%n",
                    recovered.path("eventCount").asLong(), recovered.path("recovered").size(),
                    recovered.path("recovered").path(0).path("id").asText());
        }
    }

    private static Map<String, String> sourceConfig(UsageProviderStandIn provider) {
        Map<String, String> config = new LinkedHashMap<>(provider.billingSourceConfig("telephony", "telephony", 250));
        config.put("billing.sources.telephony.unit-price", "0.5");
        return config;
    }

    /** Waits until billing counted {@code expected} events of the hour; returns what it counted. */
    private long awaitEvents(Stack stack, String token, Instant hour, long expected) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        long counted = 0;
        while (System.currentTimeMillis() < deadline) {
            counted = 0;
            for (String customer : List.of("acme", "globex")) {
                JsonNode usage = demo.get(stack.billingUrl() + "/v1/usage?meter=call-seconds&customer=" + customer + "&from="
                        + encode(hour.toString()) + "&to=" + encode(hour.plus(Duration.ofHours(1)).toString()), token);
                for (JsonNode window : usage.path("windows")) {
                    counted += window.path("eventCount").asLong();
                }
            }
            if (counted >= expected) {
                for (String customer : List.of("acme", "globex")) {
                    JsonNode usage = demo.get(stack.billingUrl() + "/v1/usage?meter=call-seconds&customer=" + customer
                            + "&from=" + encode(hour.toString()) + "&to=" + encode(hour.plus(Duration.ofHours(1)).toString()),
                            token);
                    for (JsonNode window : usage.path("windows")) {
                        demo.awaitStored(stack, token, "call-seconds", customer, window.path("start").asText(),
                                window.path("eventCount").asLong());
                    }
                }
                return counted;
            }
            Thread.sleep(500);
        }
        System.out.println("   (only " + counted + " of " + expected + " events in the windows after 60 s)");
        return counted;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
