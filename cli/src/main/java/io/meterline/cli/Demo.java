package io.meterline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.model.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * {@code ./meterline demo}: the main job, end to end on the local stack. A realistic workload goes in through
 * the ingest API; the demo shows what was accepted and refused (with reasons), what landed on Kafka per
 * customer, and what the rest of the pipeline made of it.
 */
final class Demo {

    static final List<String> CUSTOMERS = List.of("acme", "globex", "initech");
    static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    /** What the steps answered, for the test that runs the demo; printing stays as it is. */
    final DemoResult result = new DemoResult();

    Demo(Path home) {
        this.home = home;
    }

    int run() throws Exception {
        System.out.println("Meterline demo — usage billing, exact\n");
        long started = System.nanoTime();
        step("1", "Starting Kafka (KRaft), the Mongo-wire server, the Stripe stand-in and the three services");
        try (Stack stack = Stack.startAll(home)) {
            System.out.printf("   ready in %.1f s — ingest %s, billing %s, webhook %s, Stripe stand-in %s%n%n",
                    (System.nanoTime() - started) / 1e9, stack.ingestUrl(), stack.billingUrl(), stack.webhookUrl(),
                    stack.stripeApiBase());
            DemoStripeAccount stripe = new DemoStripeAccount(stack.stripeApiBase(), Stack.STANDIN_API_KEY);
            setUpStripe(stripe);
            showWebhooks(stack, stripe);
            declareMeters(stack);
            int accepted = ingest(stack);
            showTopic(stack, accepted);
            showUsage(stack, accepted);
            report(stack);
            compareWithStripe(stack, stripe);
            new PrepaidDemo(this, stack, runId).run();
            try (PeriodsDemo periods = new PeriodsDemo(this, stack)) {
                periods.run();
            }
            new ReconciliationDemo(this).run(stack);
            new StripeMeterCheckDemo(this, stack).run();
            new ClientDemo().run(stack, runId, result);
            System.out.println("\nDemo finished. Logs: " + stack.stateDir().resolve("logs"));
            return 0;
        }
    }

    private void setUpStripe(DemoStripeAccount stripe) throws Exception {
        step("2", "Setting up a Stripe account (stripe-java → the local stand-in): meters, metered prices, customers,"
                + " subscriptions");
        stripe.setUp();
        stripe.meters.forEach((key, meter) -> System.out.printf("   meter %-15s %s (event_name %s, price %s)%n", key,
                meter.getId(), meter.getEventName(), stripe.prices.get(key).getId()));
        stripe.customers.forEach((name, customer) -> System.out.printf("   customer %-12s %s, subscription %s%n", name,
                customer.getId(), stripe.subscriptions.get(name).getId()));
        System.out.println("   initech has no Stripe customer: a free-tier user");
    }

    private void showWebhooks(Stack stack, DemoStripeAccount stripe) throws Exception {
        step("3", "Stripe's signed webhooks reach webhook-service, which keeps customers and subscription items for billing");
        try (var mongo = com.mongodb.client.MongoClients.create(stack.mongoConnectionString())) {
            var subscriptions = mongo.getDatabase("meterline").getCollection("stripe_subscriptions");
            long deadline = System.currentTimeMillis() + 30_000;
            List<org.bson.Document> found = List.of();
            while (System.currentTimeMillis() < deadline) {
                found = subscriptions.find().into(new java.util.ArrayList<>());
                if (found.size() >= stripe.subscriptions.size()) {
                    break;
                }
                Thread.sleep(250);
            }
            result.value("3 subscriptions", found.size());
            for (org.bson.Document subscription : found) {
                System.out.printf("   %s (%s, customer %s)%n", subscription.getString("_id"),
                        subscription.getString("status"), subscription.getString("customerId"));
                for (org.bson.Document item : subscription.getList("items", org.bson.Document.class, List.of())) {
                    // the POJO codec stores a nested document's id as _id
                    System.out.printf("     item %s price %s metered by '%s'%n", item.getString("_id"),
                            item.getString("priceId"), item.getString("meterEventName"));
                }
            }
        }
        JsonNode processed = get(stack.webhookUrl() + "/admin/webhook-events?status=processed", stack.operatorToken());
        System.out.println("   webhook events stored and processed: " + processed.path("items").size());
    }

    private void declareMeters(Stack stack) throws Exception {
        step("4", "Declaring Meterline meters (billing admin API), each mapped to its Stripe meter");
        declare(stack, "call-minutes", "call.minutes", "SUM", "minutes");
        declare(stack, "ai-suggestions", "ai.suggestion", "COUNT", null);
        declare(stack, "active-sensors", "sensor.active", "LAST", "sensors");
    }

    private void declare(Stack stack, String key, String eventType, String aggregation, String valuePath) throws Exception {
        ObjectNode meter = JSON.createObjectNode().put("eventType", eventType).put("aggregation", aggregation)
                .put("stripeEventName", DemoStripeAccount.EVENT_NAMES.get(key));
        if (valuePath != null) {
            meter.put("valuePath", valuePath);
        }
        JsonNode answer = put(stack.billingUrl() + "/v1/meters/" + key, stack.operatorToken(), meter);
        result.value("4 declare " + key, answer.path("_status").asInt());
        System.out.printf("   %-15s %-5s of %-14s → %s  (%d)%n", key, aggregation,
                eventType + (valuePath == null ? "" : "." + valuePath), DemoStripeAccount.EVENT_NAMES.get(key),
                answer.path("_status").asInt());
    }

    private void showUsage(Stack stack, int accepted) throws Exception {
        step("10", "Billing consumed the topic: hourly windows per customer and meter (GET /v1/usage)");
        long deadline = System.currentTimeMillis() + 60_000;
        long counted = 0;
        while (System.currentTimeMillis() < deadline) {
            counted = 0;
            for (String meter : DemoStripeAccount.EVENT_NAMES.keySet()) {
                for (String customer : CUSTOMERS) {
                    for (JsonNode window : usage(stack, meter, customer).path("windows")) {
                        counted += window.path("eventCount").asLong();
                    }
                }
            }
            if (counted >= accepted) {
                break;
            }
            Thread.sleep(500);
        }
        for (String meter : List.of("call-minutes", "ai-suggestions", "active-sensors")) {
            for (String customer : CUSTOMERS) {
                for (JsonNode window : usage(stack, meter, customer).path("windows")) {
                    System.out.printf("   %-15s %-8s %s  value %6s  events %d%s%n", meter, customer,
                            window.path("start").asText(), number(window.path("value").asDouble()),
                            window.path("eventCount").asLong(), window.path("closed").asBoolean() ? " (closed)" : " (open)");
                }
            }
        }
        System.out.printf("   %d of %d accepted events counted (each once: the resends were dropped)%n", counted, accepted);
        result.value("10 counted", counted);
        // reporting reads the stored windows, which follow the query a moment later (docs/decisions/0026)
        for (String meter : DemoStripeAccount.EVENT_NAMES.keySet()) {
            for (String customer : CUSTOMERS) {
                for (JsonNode window : usage(stack, meter, customer).path("windows")) {
                    awaitStored(stack, stack.operatorToken(), meter, customer, window.path("start").asText(),
                            window.path("eventCount").asLong());
                }
            }
        }
    }

    /**
     * Waits until the stored window (shown by {@code /v1/usage/explain}, read by reporting, closing and
     * reconciliation) counts {@code events}: {@code /v1/usage} answers from the aggregation itself, a moment earlier.
     */
    void awaitStored(Stack stack, String token, String meter, String customer, String hour, long events)
            throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            JsonNode explained = get(stack.billingUrl() + "/v1/usage/explain?meter=" + meter + "&customer=" + customer
                    + "&hour=" + java.net.URLEncoder.encode(hour, java.nio.charset.StandardCharsets.UTF_8), token);
            if (explained.path("eventCount").asLong() >= events) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the stored " + meter + " window of " + customer + " at " + hour
                + " never counted " + events + " events");
    }

    private JsonNode usage(Stack stack, String meter, String customer) throws Exception {
        Instant now = Instant.now();
        return get(stack.billingUrl() + "/v1/usage?meter=" + meter + "&customer=" + customer + "&window=hour&from="
                + now.minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS) + "&to="
                + now.plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS), stack.operatorToken());
    }

    private void report(Stack stack) throws Exception {
        step("11", "A reporting run (POST /admin/report-runs; normally scheduled hourly): deltas to Stripe Billing Meters");
        JsonNode run = post(stack.billingUrl() + "/admin/report-runs", stack.operatorToken(), JSON.createObjectNode());
        System.out.printf("   run %s: dryRun=%s total=%d reported=%d failed=%d skipped=%s%n", run.path("id").asText(),
                run.path("dryRun").asText(), run.path("total").asLong(), run.path("reported").asLong(),
                run.path("failed").asLong(), run.path("skipped"));
        JsonNode again = post(stack.billingUrl() + "/admin/report-runs", stack.operatorToken(), JSON.createObjectNode());
        result.value("11 reported", run.path("reported").asLong());
        result.value("11 failed", run.path("failed").asLong());
        result.value("11 reported again", again.path("reported").asLong());
        System.out.printf("   a second run right after: reported=%d (nothing new to send)%n", again.path("reported").asLong());
    }

    private void compareWithStripe(Stack stack, DemoStripeAccount stripe) throws Exception {
        step("12", "What Stripe now holds (meter event summaries at the stand-in) next to Meterline's windows");
        Map<String, String> billedTo = Map.of("acme", "acme", "globex", "globex-group");
        for (String meter : List.of("call-minutes", "ai-suggestions", "active-sensors")) {
            for (var entry : billedTo.entrySet()) {
                String customerId = stripe.customers.get(entry.getValue()).getId();
                for (JsonNode window : usage(stack, meter, entry.getKey()).path("windows")) {
                    long start = Instant.parse(window.path("start").asText()).getEpochSecond();
                    double atStripe = stripe.stripeTotal(meter, customerId, start, start + 3600);
                    double local = Math.floor(window.path("value").asDouble());
                    boolean billed = !(meter.equals("ai-suggestions") && entry.getKey().equals("globex"));
                    result.total(new DemoResult.Total(meter, entry.getKey(), window.path("start").asText(), local,
                            atStripe, billed));
                    System.out.printf("   %-15s %-7s → %-18s hour %s  Meterline %6s  Stripe %6s  %s%n", meter,
                            entry.getKey(), customerId, window.path("start").asText().substring(11, 16),
                            number(local), number(atStripe), atStripe == local ? "equal"
                                    : (meter.equals("ai-suggestions") && entry.getKey().equals("globex")
                                            ? "not billed: no metered item on globex's plan" : "DIFFERENT"));
                }
            }
        }
        System.out.println("   initech: not billed (no Stripe customer: free tier)");
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.format("%.2f", value);
    }

    /** Sends the workload; returns how many events the ingest API accepted. */
    private int ingest(Stack stack) throws Exception {
        String token = stack.jwt().token("demo-producer", Set.of("usage:write"), List.of(), Duration.ofHours(1));
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        int accepted = 0;

        step("5", "One event through the ingest API: acme talked for 12 minutes");
        JsonNode single = result.answer("5 one event", post(stack.ingestUrl() + "/v1/events", token,
                event("call-1", "call.minutes", "acme", now.minusSeconds(30), Map.of("minutes", 12))));
        accepted += single.path("accepted").asInt();
        System.out.println("   → " + single.path("_status").asInt() + " " + single.path("results").path(0).path("status").asText());

        step("6", "A batch from three customers: calls, AI suggestions, active-sensor gauges,"
                + " two resends of the same event and one event dated tomorrow");
        ArrayNode batch = JSON.createArrayNode();
        int n = 0;
        for (String customer : CUSTOMERS) {
            for (int i = 0; i < 3; i++) {
                batch.add(event("call-" + customer + "-" + i, "call.minutes", customer, now.minusSeconds(60L * i),
                        Map.of("minutes", 3 + i)));
                batch.add(event("ai-" + customer + "-" + i, "ai.suggestion", customer, now.minusSeconds(50L * i),
                        Map.of("model", i % 2 == 0 ? "small" : "large")));
            }
            batch.add(event("sensors-" + customer, "sensor.active", customer, now.minusSeconds(10),
                    Map.of("sensors", 40 + 10 * n++)));
        }
        batch.add(event("call-acme-0", "call.minutes", "acme", now, Map.of("minutes", 3)));
        batch.add(event("ai-globex-1", "ai.suggestion", "globex", now.minusSeconds(50), Map.of("model", "large")));
        batch.add(event("call-tomorrow", "call.minutes", "initech", now.plus(1, ChronoUnit.DAYS), Map.of("minutes", 7)));
        JsonNode answer = result.answer("6 batch", post(stack.ingestUrl() + "/v1/events", token, batch));
        accepted += answer.path("accepted").asInt();
        System.out.printf("   → %d: %d accepted, %d duplicates in batch, %d rejected%n", answer.path("_status").asInt(),
                answer.path("accepted").asInt(), answer.path("duplicates").asInt(), answer.path("rejected").asInt());
        for (JsonNode result : answer.path("results")) {
            if (!result.path("status").asText().equals("accepted")) {
                System.out.printf("     #%d %s (%s)%s%n", result.path("index").asInt(), result.path("status").asText(),
                        result.path("id").asText(), reasons(result));
            }
        }

        step("7", "A token scoped to acme tries to write usage for globex");
        String acmeOnly = stack.jwt().token("acme-app", Set.of("usage:write"), List.of("acme"), Duration.ofHours(1));
        JsonNode scoped = result.answer("7 other customer", post(stack.ingestUrl() + "/v1/events", acmeOnly,
                event("sneaky-1", "call.minutes", "globex", now, Map.of("minutes", 99))));
        System.out.println("   → " + scoped.path("_status").asInt() + " "
                + scoped.path("results").path(0).path("status").asText(scoped.path("title").asText())
                + reasons(scoped.path("results").path(0)) + reasons(scoped));

        step("8", "No token at all");
        JsonNode anonymous = result.answer("8 no token", post(stack.ingestUrl() + "/v1/events", null,
                event("anon-1", "call.minutes", "acme", now, Map.of("minutes", 1))));
        System.out.println("   → " + anonymous.path("_status").asInt() + " " + anonymous.path("title").asText());
        return accepted;
    }

    private void showTopic(Stack stack, int expected) {
        step("9", "What is on the Kafka topic '" + Topics.USAGE_EVENTS + "' (key = customer)");
        Map<String, Integer> perCustomer = new TreeMap<>();
        Map<String, Integer> perType = new TreeMap<>();
        int seen = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "meterline-demo-" + runId,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.USAGE_EVENTS));
            long deadline = System.currentTimeMillis() + 20_000;
            while (seen < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    seen++;
                    perCustomer.merge(record.key(), 1, Integer::sum);
                    try {
                        perType.merge(JSON.readTree(record.value()).path("type").asText(), 1, Integer::sum);
                    } catch (java.io.IOException e) {
                        perType.merge("(not JSON)", 1, Integer::sum);
                    }
                }
            }
        }
        perCustomer.forEach((customer, count) -> System.out.printf("   %-10s %3d records%n", customer, count));
        System.out.println("   by type: " + perType);
        System.out.printf("   %d records on the topic for %d events acknowledged with 202%n", seen, expected);
        result.value("9 records", seen);
    }

    static ObjectNode event(String id, String type, String subject, Instant time, Map<String, Object> data) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id).put("source", "demo").put("type", type).put("subject", subject).put("time", time.toString());
        node.set("data", JSON.valueToTree(data));
        if (subject.equals("globex")) {
            node.put("organization", "globex-group");
        }
        return node;
    }

    JsonNode post(String url, String token, JsonNode body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return answer(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    JsonNode put(String url, String token, JsonNode body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
        return answer(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    JsonNode get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return answer(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static JsonNode answer(HttpResponse<String> response) throws Exception {
        JsonNode body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        ObjectNode wrapped = body.isObject() ? (ObjectNode) body : JSON.createObjectNode().set("items", body);
        wrapped.put("_status", response.statusCode());
        return wrapped;
    }

    private static String reasons(JsonNode node) {
        StringBuilder text = new StringBuilder();
        for (JsonNode error : node.path("errors")) {
            text.append(" — ").append(error.path("field").asText()).append(": ").append(error.path("reason").asText())
                    .append(" (").append(error.path("message").asText()).append(')');
        }
        return text.toString();
    }

    static void step(String number, String text) {
        System.out.println(number + ". " + text);
    }
}
