package io.meterline.cli.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.stripe.StripeClient;
import com.stripe.model.Customer;
import com.stripe.model.Price;
import com.stripe.model.billing.Meter;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.billing.MeterCreateParams;
import io.meterline.cli.BenchmarkReport;
import io.meterline.cli.Ports;
import io.meterline.cli.Stack;
import io.meterline.devstack.KafkaBroker;
import io.meterline.devstack.MongoWireServer;
import io.meterline.devstack.stripe.StripeStandIn;
import io.meterline.model.Topics;
import io.meterline.model.billing.BillingCollections;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./meterline chaos [--seed N] [--quick] [--json]}: the whole pipeline under real faults, with the invariants
 * checked after each scenario — every event ingest acknowledged is counted once in billing ({@code GET /v1/usage}),
 * and after a clean reporting run the Stripe stand-in's per-customer totals equal Meterline's billable totals.
 *
 * <p>Kafka, the Mongo-wire server and the Stripe stand-in run inside this JVM (so that the broker and Mongo can be
 * stopped and started again on the same port and data, and Stripe faults injected directly); the three services run
 * as the packaged applications in child processes, billing's killed with {@code kill -9} semantics
 * ({@link Process#destroyForcibly()}). Progress goes to stderr; the last line on stdout is one JSON object
 * ({@link ChaosReport}). Exit code 0 only when every scenario held every invariant.
 */
public final class Chaos {

    static final String METER = "chaos-units";
    static final String EVENT_TYPE = "chaos.units";
    static final String EVENT_NAME = "chaos_units";
    private static final String METER_EVENTS = "/v1/billing/meter_events";
    private static final int SUBJECTS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** No schedule (runs are started here), a short lease so a killed reporter blocks the next run briefly. */
    private static final Map<String, String> BILLING_CONFIG = Map.of("billing.reporting.cron", "off",
            "billing.reporting.lease", "PT6S", "billing.reporting.lease-renewal", "PT2S",
            "billing.reporting.concurrency", "2");

    /** One scenario: injects its faults and answers how many. */
    private interface Scenario {
        long inject() throws Exception;
    }

    private final Path home;
    private final ChaosArgs args;
    private final Random random;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, String> customerBySubject = new LinkedHashMap<>();
    private Stack stack;
    private KafkaBroker kafka;
    private MongoWireServer mongo;
    private StripeStandIn standIn;
    private StripeClient stripe;
    private String priceId;
    private ChaosLoad load;
    /** Set by the webhook scenario, which checks its own invariants. */
    private long webhookMismatches;

    public Chaos(Path home, ChaosArgs args) {
        this.home = home;
        this.args = args;
        this.random = new Random(args.seed());
    }

    /** Runs every scenario; prints the JSON line last and answers the exit code. */
    public int run() {
        long started = System.nanoTime();
        Double loadAvgStart = BenchmarkReport.loadAverage(Path.of("/proc/loadavg"));
        ChaosReport report = new ChaosReport();
        progress("seed " + args.seed() + (args.quick() ? " (quick)" : "") + " — repeat with --seed " + args.seed());
        try {
            start();
            scenario(report, "broker_restart_during_ingest", this::brokerRestart);
            scenario(report, "billing_kill9_during_aggregation", this::killDuringAggregation);
            scenario(report, "billing_kill9_during_reporting", this::killDuringReporting);
            scenario(report, "mongo_down_30s", this::mongoOutage);
            scenario(report, "stripe_429_500_slow_dropped", this::stripeFaults);
            scenario(report, "webhooks_duplicated_shuffled_tampered", this::webhooks);
        } catch (Exception e) {
            progress("setting up the stack failed: " + e);
            report.add(new ChaosReport.Scenario("setup", 0, 0, 0, 0, 0, 0, 0, String.valueOf(e)));
        } finally {
            stop();
        }
        Map<String, Object> result = report.toMap(args.seed(), loadAvgStart, Runtime.getRuntime().availableProcessors(),
                (System.nanoTime() - started) / 1e9);
        System.out.println(BenchmarkReport.line(result));
        return report.passed() ? 0 : 1;
    }

    // ------------------------------------------------------------------------------------------ scenarios

    /** The broker stopped (and its clients cut off) while ingest is taking events, then started on the same data. */
    private long brokerRestart() throws Exception {
        load.start();
        load.awaitMore(args.traffic() / 2);
        long delay = random.nextInt(2000);
        Thread.sleep(delay);
        progress("stopping the Kafka broker " + delay + " ms after " + load.acknowledged() + " acknowledged events, for "
                + args.brokerOutage().toSeconds() + " s");
        kafka.stop();
        Thread.sleep(args.brokerOutage().toMillis());
        kafka.restart();
        load.awaitMore(args.traffic());
        progress("broker back; ingest acknowledging again after " + load.unanswered() + " unacknowledged requests so far");
        load.stop();
        return 1;
    }

    /** Billing killed at seeded random points while it aggregates a live stream, restarted each time. */
    private long killDuringAggregation() throws Exception {
        for (int i = 1; i <= args.kills(); i++) {
            long seed = random.nextLong();
            long delay = 200 + new Random(seed).nextInt(3000);
            load.start();
            load.awaitMore(args.traffic() / 2);
            Thread.sleep(delay);
            progress("kill -9 billing #" + i + " during aggregation (seed " + seed + ": +" + delay + " ms)");
            stack.stopService("billing", true);
            load.stop();
            startBilling();
        }
        return args.kills();
    }

    /** Billing killed at seeded random points of a reporting run (slowed Stripe answers make the run last). */
    private long killDuringReporting() throws Exception {
        for (int i = 1; i <= args.kills(); i++) {
            load.start();
            load.awaitMore(args.traffic() / 2);
            load.stop();
            awaitCounted();
            long seed = random.nextLong();
            long delay = new Random(seed).nextInt(1200);
            standIn.faults().slow(METER_EVENTS, 1000, Duration.ofMillis(150));
            long callsBefore = standIn.requestCount("POST", METER_EVENTS);
            CompletableFuture<HttpResponse<String>> run = http.sendAsync(post("/admin/report-runs"),
                    HttpResponse.BodyHandlers.ofString());
            // the kill timer starts at the run's first Stripe call: planning a run can take seconds on a loaded machine
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (standIn.requestCount("POST", METER_EVENTS) == callsBefore && !run.isDone()
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(delay);
            progress("kill -9 billing #" + i + " during a reporting run (seed " + seed + ": +" + delay
                    + " ms after its first Stripe call, " + (standIn.requestCount("POST", METER_EVENTS) - callsBefore)
                    + " meter event calls of this run" + (run.isDone() ? ", the run had already finished" : "") + ")");
            stack.stopService("billing", true);
            run.handle((r, e) -> null).get(30, TimeUnit.SECONDS);
            standIn.faults().clear();
            startBilling();
        }
        return args.kills();
    }

    /** The Mongo-wire server stopped for 30 s under load, then listening again on the same port with the same data. */
    private long mongoOutage() throws Exception {
        load.start();
        Thread.sleep(1000 + random.nextInt(1000));
        progress("stopping the Mongo-wire server for " + args.mongoOutage().toSeconds() + " s");
        mongo.stop();
        Thread.sleep(args.mongoOutage().toMillis());
        mongo.restart();
        progress("Mongo back; waiting for every service to be ready again");
        for (String service : List.of("ingest", "billing", "webhook")) {
            awaitReady(service);
        }
        load.awaitMore(args.traffic());
        load.stop();
        return 1;
    }

    /** Stripe answering 429, 500, slowly, and dropping answers after accepting, during reporting runs. */
    private long stripeFaults() throws Exception {
        load.start();
        load.awaitMore(args.traffic());
        load.stop();
        awaitCounted();
        long before = standIn.faults().injected();
        standIn.faults().rateLimit(METER_EVENTS, 3, 1).serverError(METER_EVENTS, 3)
                .slow(METER_EVENTS, 3, Duration.ofSeconds(3)).dropResponse(METER_EVENTS, 3)
                .connectionReset(METER_EVENTS, 2);
        progress("Stripe will answer 3×429, 3×500, 3× slowly (3 s), drop 3 answers after accepting, reset 2 connections");
        JsonNode run = reportUntilClean();
        long injected = standIn.faults().injected() - before;
        progress("run " + run.path("id").asText() + " clean after " + injected + " injected Stripe faults");
        standIn.faults().clear();
        return injected;
    }

    private long webhooks() throws Exception {
        ChaosWebhooks.Outcome outcome = new ChaosWebhooks(standIn, stripe, priceId,
                stack.webhookUrl() + "/webhooks/stripe", stack.webhookSecret(), stack.mongoConnectionString(),
                random.nextLong()).run();
        webhookMismatches = outcome.mismatches();
        return outcome.faults();
    }

    // ------------------------------------------------------------------------------------------ checks

    private void scenario(ChaosReport report, String name, Scenario scenario) {
        progress("== " + name);
        long started = System.nanoTime();
        long faults = 0;
        String error = null;
        webhookMismatches = 0;
        try {
            faults = scenario.inject();
        } catch (Exception e) {
            error = "fault injection failed: " + e;
            progress(error);
        }
        long lost = 0;
        long doubleCounted = 0;
        long stripeMismatches = 0;
        try {
            Map<String, double[]> billed = awaitCounted();
            for (String subject : customerBySubject.keySet()) {
                ChaosLoad.Expected expected = load.expected().getOrDefault(subject, new ChaosLoad.Expected(0, 0));
                double[] counted = billed.get(subject);
                lost += Math.max(0, expected.events() - (long) counted[0]);
                doubleCounted += Math.max(0, (long) counted[0] - expected.events());
                if (counted[1] != expected.units()) {
                    progress("  " + subject + ": " + (long) counted[1] + " units counted, " + expected.units()
                            + " acknowledged");
                    lost += counted[1] < expected.units() ? 1 : 0;
                    doubleCounted += counted[1] > expected.units() ? 1 : 0;
                }
            }
            reportUntilClean();
            stripeMismatches = stripeMismatches(billed);
        } catch (Exception e) {
            error = (error == null ? "" : error + "; ") + "check failed: " + e;
            progress(error);
        }
        ChaosReport.Scenario outcome = new ChaosReport.Scenario(name, faults, load.acknowledged(), lost, doubleCounted,
                stripeMismatches, webhookMismatches, (System.nanoTime() - started) / 1e9, error);
        report.add(outcome);
        progress(String.format("   %s: %d faults, %d events acknowledged, lost %d, double counted %d, Stripe mismatches %d,"
                        + " webhook mismatches %d (%.0f s)", outcome.passed() ? "held" : "FAILED", faults,
                outcome.acknowledged(), lost, doubleCounted, stripeMismatches, webhookMismatches, outcome.seconds()));
    }

    /**
     * Billing's totals per subject ({@code [events, value, billable]}) once they reach the acknowledged counts (or
     * after three minutes), read again a few seconds later so that a late double count shows.
     */
    private Map<String, double[]> awaitCounted() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            Map<String, double[]> billed = billedTotals();
            boolean complete = customerBySubject.keySet().stream().allMatch(s -> billed.get(s)[0]
                    >= load.expected().getOrDefault(s, new ChaosLoad.Expected(0, 0)).events());
            if (complete) {
                break;
            }
            Thread.sleep(1000);
        }
        Thread.sleep(3000);
        return billedTotals();
    }

    private Map<String, double[]> billedTotals() throws Exception {
        Map<String, double[]> totals = new LinkedHashMap<>();
        Instant now = Instant.now();
        for (String subject : customerBySubject.keySet()) {
            HttpResponse<String> response = http.send(get("/v1/usage?meter=" + METER + "&customer=" + subject
                    + "&window=hour&from=" + now.minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS)
                    + "&to=" + now.plus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS)), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET /v1/usage for " + subject + " answered " + response.statusCode()
                        + ": " + response.body());
            }
            double[] sum = new double[3];
            for (JsonNode window : JSON.readTree(response.body()).path("windows")) {
                sum[0] += window.path("eventCount").asLong();
                sum[1] += window.path("value").asDouble();
                sum[2] += Math.floor(window.path("value").asDouble());
            }
            totals.put(subject, sum);
        }
        return totals;
    }

    /** Reporting runs until one has no failed delta (a killed reporter's lease expires within seconds). */
    private JsonNode reportUntilClean() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(post("/admin/report-runs"), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 201) {
                JsonNode run = JSON.readTree(response.body());
                if (run.path("failed").asLong() == 0) {
                    return run;
                }
                progress("  run " + run.path("id").asText() + ": " + run.path("failed").asLong() + " failed, running again");
            } else if (response.statusCode() != 409) {
                throw new IllegalStateException("POST /admin/report-runs answered " + response.statusCode() + ": "
                        + response.body());
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("no clean reporting run in 3 minutes");
    }

    /** Customers whose total at the Stripe stand-in differs from Meterline's billable total. */
    private long stripeMismatches(Map<String, double[]> billed) {
        long mismatches = 0;
        for (Map.Entry<String, String> entry : customerBySubject.entrySet()) {
            long atStripe = standIn.hourlyTotals(EVENT_NAME, entry.getValue()).values().stream().mapToLong(Long::longValue).sum();
            long billable = (long) billed.get(entry.getKey())[2];
            if (atStripe != billable) {
                progress("  " + entry.getKey() + " (" + entry.getValue() + "): Stripe " + atStripe + ", Meterline " + billable);
                mismatches++;
            }
        }
        return mismatches;
    }

    // ------------------------------------------------------------------------------------------ the stack

    private void start() throws Exception {
        stack = Stack.withOwnInfrastructure(home);
        Path stateDir = stack.stateDir();
        deleteRecursively(stateDir.resolve("kafka"));
        deleteRecursively(stateDir.resolve("billing-streams"));
        quietInfrastructureLogs();
        progress("starting Kafka, the Mongo-wire server and the Stripe stand-in in this JVM (state " + stateDir + ")");
        kafka = KafkaBroker.start(Ports.kafka(), stateDir.resolve("kafka"));
        kafka.createTopics(List.of(new NewTopic(Topics.USAGE_EVENTS, 3, (short) 1),
                new NewTopic(Topics.USAGE_EVENTS_DLQ, 1, (short) 1)));
        mongo = MongoWireServer.start(Ports.mongo(), null);
        standIn = StripeStandIn.start(Ports.stripe());
        standIn.addWebhookEndpoint(stack.webhookUrl() + "/webhooks/stripe", stack.webhookSecret());
        stack.useInfrastructure(kafka.bootstrapServers(), mongo.connectionString());
        progress("starting ingest, billing and webhook services");
        stack.startService("ingest", Map.of());
        startBilling();
        stack.startService("webhook", Map.of());
        setUpAccount();
        load = new ChaosLoad(stack.ingestUrl(), stack.operatorToken(), new ArrayList<>(customerBySubject.keySet()),
                random.nextLong());
    }

    private void startBilling() throws IOException {
        long started = System.nanoTime();
        stack.startService("billing", BILLING_CONFIG);
        progress(String.format("  billing ready in %.1f s", (System.nanoTime() - started) / 1e9));
    }

    /** A meter and metered price at Stripe, the Meterline meter, and ten customers subscribed to it. */
    private void setUpAccount() throws Exception {
        stripe = StripeClient.builder().setApiKey(Stack.STANDIN_API_KEY).setApiBase(stack.stripeApiBase()).build();
        Meter meter = stripe.v1().billing().meters().create(MeterCreateParams.builder().setDisplayName(METER)
                .setEventName(EVENT_NAME).setDefaultAggregation(MeterCreateParams.DefaultAggregation.builder()
                        .setFormula(MeterCreateParams.DefaultAggregation.Formula.SUM).build()).build());
        Price price = stripe.v1().prices().create(PriceCreateParams.builder().setCurrency("usd").setUnitAmount(1L)
                .setProductData(PriceCreateParams.ProductData.builder().setName(METER).build())
                .setRecurring(PriceCreateParams.Recurring.builder().setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                        .setUsageType(PriceCreateParams.Recurring.UsageType.METERED).setMeter(meter.getId()).build())
                .build());
        priceId = price.getId();
        ObjectNode meterBody = JSON.createObjectNode().put("eventType", EVENT_TYPE).put("aggregation", "SUM")
                .put("valuePath", "units").put("stripeEventName", EVENT_NAME).put("stripePriceId", priceId);
        HttpResponse<String> declared = http.send(HttpRequest.newBuilder(URI.create(stack.billingUrl() + "/v1/meters/" + METER))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + stack.operatorToken())
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(meterBody.toString()))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (declared.statusCode() / 100 != 2) {
            throw new IllegalStateException("declaring the meter answered " + declared.statusCode() + ": " + declared.body());
        }
        for (int i = 0; i < SUBJECTS; i++) {
            String subject = String.format("chaos-%02d", i);
            Customer customer = stripe.v1().customers().create(CustomerCreateParams.builder().setName(subject)
                    .putMetadata("meterline_subject", subject).build());
            stripe.v1().subscriptions().create(SubscriptionCreateParams.builder().setCustomer(customer.getId())
                    .addItem(SubscriptionCreateParams.Item.builder().setPrice(priceId).build()).build());
            customerBySubject.put(subject, customer.getId());
        }
        progress("Stripe account: meter " + meter.getId() + ", price " + priceId + ", " + SUBJECTS
                + " customers; waiting for webhook-service to sync their subscriptions");
        try (MongoClient client = MongoClients.create(stack.mongoConnectionString())) {
            var subscriptions = client.getDatabase("meterline").getCollection(BillingCollections.SUBSCRIPTIONS);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (subscriptions.countDocuments() < SUBJECTS) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("webhook-service did not sync the subscriptions in 2 minutes");
                }
                Thread.sleep(250);
            }
        }
    }

    private void awaitReady(String service) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.url(service) + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not answering yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(service + "-service not ready 3 minutes after the Mongo outage");
    }

    private void stop() {
        if (stack != null) {
            stack.close();
        }
        if (standIn != null) {
            standIn.close();
        }
        if (mongo != null) {
            mongo.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private HttpRequest post(String path) {
        return HttpRequest.newBuilder(URI.create(stack.billingUrl() + path)).timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + stack.operatorToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create(stack.billingUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + stack.operatorToken()).GET().build();
    }

    /** The broker logs its whole configuration at INFO, and every client reconnect during an outage. */
    private static void quietInfrastructureLogs() {
        for (String logger : List.of("kafka", "org.apache.kafka", "org.apache.zookeeper", "state.change.logger",
                "de.bwaldvogel", "io.netty", "org.mongodb")) {
            org.jboss.logmanager.LogContext.getLogContext().getLogger(logger).setLevel(java.util.logging.Level.SEVERE);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (Files.exists(path)) {
            try (var paths = Files.walk(path)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static void progress(String message) {
        System.err.println("[chaos] " + message);
    }
}
