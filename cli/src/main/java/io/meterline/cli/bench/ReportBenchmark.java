package io.meterline.cli.bench;

import static io.meterline.cli.bench.BenchArgs.intOption;
import static io.meterline.cli.bench.BenchHttp.send;
import static io.meterline.cli.bench.BenchArgs.option;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.stripe.StripeClient;
import com.stripe.model.Customer;
import com.stripe.model.Subscription;
import com.stripe.model.billing.Meter;
import com.stripe.model.billing.MeterEventSummary;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.billing.MeterCreateParams;
import com.stripe.param.billing.MeterEventSummaryListParams;
import io.meterline.cli.Benchmark;
import io.meterline.cli.Stack;
import io.meterline.model.Topics;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.billing.SubscriptionItemDocument;
import io.meterline.model.usage.UsageWindowDocument;
import io.meterline.model.usage.WindowChangeDocument;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.codecs.pojo.PojoCodecProvider;
import org.bson.types.ObjectId;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./meterline bench report}: aggregate a workload through the real pipeline (Kafka → billing's Kafka
 * Streams aggregation → hourly windows in MongoDB), then one reporting run against the Stripe stand-in with no
 * rate limit, and check that Stripe's meter event summaries equal Meterline's totals for every customer, meter
 * and hour. A second run with no new usage must make no Stripe call.
 *
 * <p>Customers and subscriptions are created at the stand-in through stripe-java and written to MongoDB in the
 * shapes webhook-service keeps (webhook-service itself is not started: its own benchmark measures it).
 * Options: {@code --customers N} (1000), {@code --hours N} (24), {@code --events N} (1,000,000),
 * {@code --source pipeline|direct} (pipeline): {@code direct} computes the same windows in the benchmark and
 * writes them to MongoDB in aggregation's shape, for measuring reporting alone when the shared machine is too
 * loaded for the aggregation pipeline to digest a million events in reasonable time.
 */
public final class ReportBenchmark implements Benchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Meterline meter key → (event type, aggregation, value path, Stripe formula). */
    static final String[][] METERS = {
            {"bench-calls", "bench.call", "COUNT", null, "sum"},
            {"bench-tokens", "bench.tokens", "SUM", "tokens", "sum"},
            {"bench-storage", "bench.storage", "LAST", "gb", "last"}};

    @Override
    public Map<String, Object> run(Path home, List<String> args) throws Exception {
        int customers = intOption(args, "--customers", 1000);
        int hours = intOption(args, "--hours", 24);
        int events = intOption(args, "--events", 1_000_000);
        boolean direct = option(args, "--source", "pipeline").equals("direct");
        // v1: a call per delta; v2: meter event streams, 100 deltas a request (docs/decisions/0141)
        String transport = option(args, "--transport", "v1");
        boolean v2 = transport.equals("v2");
        Instant firstHour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(hours + 1L));

        // the in-memory Mongo-wire server holds every window, and the stand-in every customer, subscription and event
        // (≈ 0.4 MB a customer), on the dev stack's heap: 720,000 windows of 10,000 customers ran out of 3 GB
        long windowCount = (long) customers * METERS.length * hours;
        String heap = heap(windowCount, customers);
        String billingHeap = billingHeap(windowCount);
        try (Stack stack = Stack.startInfrastructure(home, List.of("--fresh"), heap)) {
            progress("starting billing-service (no rate limit, no schedule)");
            Map<String, String> billingConfig = new HashMap<>(Map.of("billing.stripe.rate-limit", "0", "billing.reporting.cron", "off",
                    "billing.reporting.batch-size", "1000", "quarkus.log.level", "WARN",
                    "quarkus.log.category.\"io.meterline\".level", "INFO",
                    // a fresh Streams state directory: state left in the OS temp dir by other runs is stale here
                    "kafka-streams.state.dir", stack.stateDir().resolve("streams-" + System.nanoTime()).toString()));
            billingConfig.put("billing.stripe.meter-events", transport);
            billingConfig.put("billing.stripe.meter-event-stream.rate-limit", "0");
            // run 2 confirms every delta run 1's stream accepted (no error report can come: all are valid), so the
            // 1 % run reads only what changed, as it would an error window after the deltas were sent
            billingConfig.put("billing.stripe.meter-event-stream.error-window", "PT0S");
            // reporting alone: the windows written here are hours old, so the period closer would catch up every hour,
            // day and month of them beside the runs, on the same two cores and Mongo server (`bench periods` measures it)
            billingConfig.put("billing.periods.catch-up-every", "off");
            // a full run holds the ledger entries of every window it reads (≈ 0.8 KB each): with 1 GB and the period
            // catch-up beside it, 720,000 windows left billing in back-to-back full collections (a 3-7 s pause every
            // 5-9 s), and every run, even an idle one, crawled
            stack.startService("billing", billingConfig, billingHeap);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String token = stack.operatorToken();
            StripeClient stripe = StripeClient.builder().setApiKey(Stack.STANDIN_API_KEY).setApiBase(stack.stripeApiBase())
                    // a connection reset by the loaded stand-in is retried (stripe-java sends an idempotency key)
                    .setMaxNetworkRetries(3)
                    .build();

            progress("Stripe account at the stand-in: 3 meters, metered prices, " + customers + " customers and subscriptions");
            Map<String, Meter> stripeMeters = new LinkedHashMap<>();
            Map<String, String> prices = new LinkedHashMap<>();
            for (String[] m : METERS) {
                String eventName = m[0].replace('-', '_');
                Meter meter = stripe.v1().billing().meters().create(MeterCreateParams.builder().setDisplayName(m[0])
                        .setEventName(eventName).setDefaultAggregation(MeterCreateParams.DefaultAggregation.builder()
                                .setFormula(MeterCreateParams.DefaultAggregation.Formula.valueOf(m[4].toUpperCase())).build())
                        .build());
                stripeMeters.put(m[0], meter);
                prices.put(m[0], stripe.v1().prices().create(PriceCreateParams.builder().setCurrency("usd").setUnitAmount(1L)
                        .setProductData(PriceCreateParams.ProductData.builder().setName(m[0]).build())
                        .setRecurring(PriceCreateParams.Recurring.builder()
                                .setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                                .setUsageType(PriceCreateParams.Recurring.UsageType.METERED).setMeter(meter.getId()).build())
                        .build()).getId());
                ObjectNode body = JSON.createObjectNode().put("eventType", m[1]).put("aggregation", m[2])
                        .put("stripeEventName", eventName).put("stripePriceId", prices.get(m[0]));
                if (m[3] != null) {
                    body.put("valuePath", m[3]);
                }
                BenchHttp.send(http, "PUT", stack.billingUrl() + "/v1/meters/" + m[0], token, body, 200);
            }
            Map<String, String> eventNameByMeterId = new LinkedHashMap<>();
            stripeMeters.values().forEach(m -> eventNameByMeterId.put(m.getId(), m.getEventName()));
            String[] customerIds = BenchCustomers.create(stack.mongoConnectionString(), stripe, customers,
                    new ArrayList<>(prices.values()), eventNameByMeterId);
            try (MongoClient mongo = MongoClients.create(stack.mongoConnectionString())) {

                progress((direct ? "generating " : "producing ") + events + " usage events" + (direct ? "" : " to Kafka")
                        + " (" + customers + " subjects × 3 meters × " + hours + " h)");
                Workload workload = produce(direct ? null : stack.kafkaBootstrap(), customers, hours, events, firstHour);
                if (direct) {
                    writeWindows(mongo.getDatabase("meterline").getCollection(UsageWindowDocument.COLLECTION), workload);
                }

                progress("waiting for aggregation: " + workload.windows.size() + " hourly windows in MongoDB");
                MongoCollection<Document> windows = mongo.getDatabase("meterline").getCollection(UsageWindowDocument.COLLECTION);
                Map<String, Double> local = new HashMap<>();
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
                long counted = 0;
                while (System.nanoTime() < deadline) {
                    counted = 0;
                    local.clear();
                    for (Document d : windows.find(Filters.eq("groupKey", ""))
                            .projection(Projections.include("eventCount", "value")).batchSize(10_000)) {
                        counted += ((Number) d.get("eventCount")).longValue();
                        local.put(d.getString("_id"), ((Number) d.get("value")).doubleValue());
                    }
                    if (counted >= events) {
                        break;
                    }
                    progress("  " + counted + " of " + events + " events in windows");
                    Thread.sleep(5000);
                }
                double aggregationSeconds = (System.nanoTime() - workload.producedAtNanos) / 1e9;
                boolean pipelineExact = counted == events && workload.windows.entrySet().stream()
                        .allMatch(e -> Math.abs(local.getOrDefault(e.getKey(), Double.NaN) - e.getValue()) < 1e-9);
                progress(String.format("aggregated %d events in %.1f s after producing (pipeline totals %s)", counted,
                        aggregationSeconds, pipelineExact ? "equal the generated workload" : "DIFFER from the workload"));
                long changedWindows = local.values().stream().filter(v -> Math.floor(v) != 0).count();

                progress("reporting run 1");
                long callsBefore = meterEventCalls(http, stack, v2);
                long t0 = System.nanoTime();
                JsonNode run = BenchHttp.send(http, "POST", stack.billingUrl() + "/admin/report-runs", token, null, 201);
                double wallSeconds = (System.nanoTime() - t0) / 1e9;
                long stripeCalls = meterEventCalls(http, stack, v2) - callsBefore;
                double runSeconds = Duration.between(Instant.parse(run.get("started").asText()),
                        Instant.parse(run.get("finished").asText())).toMillis() / 1000.0;
                long reported = run.get("reported").asLong();
                progress(String.format("run %s: reported=%d failed=%d skipped=%s in %.1f s, %d meter event calls",
                        run.get("id").asText(), reported, run.get("failed").asLong(), run.get("skipped"), runSeconds, stripeCalls));

                progress("checking Stripe's hourly summaries for every customer and meter");
                long mismatches = compare(stripe, stripeMeters, customerIds, firstHour, hours, local);

                progress("reporting run 2 (no new usage)");
                long before2 = meterEventCalls(http, stack, v2);
                JsonNode second = BenchHttp.send(http, "POST", stack.billingUrl() + "/admin/report-runs", token, null, 201);
                long secondCalls = meterEventCalls(http, stack, v2) - before2;

                progress("changing 1 % of the windows as aggregation's writer would (change mark, then window)");
                Map<String, Double> changed = changeSome(mongo.getDatabase("meterline"), local, 0.01, new Random(43));
                local.putAll(changed);
                JsonNode changedRun = BenchHttp.send(http, "POST", stack.billingUrl() + "/admin/report-runs", token, null, 201);
                double changedRunSeconds = seconds(changedRun);
                progress(String.format("run %s (%s): %d windows marked, %d examined, %d reported in %.2f s",
                        changedRun.get("id").asText(), changedRun.get("scope").asText(), changedRun.get("changedWindows").asLong(),
                        changedRun.get("total").asLong(), changedRun.get("reported").asLong(), changedRunSeconds));
                long changedMismatches = compare(stripe, stripeMeters, customerIds, firstHour, hours, local);

                progress("reporting run 4 (nothing changed)");
                JsonNode idleRun = BenchHttp.send(http, "POST", stack.billingUrl() + "/admin/report-runs", token, null, 201);
                double idleRunSeconds = seconds(idleRun);

                Map<String, Object> result = new LinkedHashMap<>();
                result.put("transport", transport);
                result.put("period_catch_up", "off");
                result.put("billing_heap", billingHeap);
                result.put("source", direct ? "direct (windows written by the benchmark)" : "pipeline (Kafka → aggregation)");
                result.put("events", counted);
                result.put("customers", customers);
                result.put("meters", METERS.length);
                result.put("hours", hours);
                result.put("windows", local.size());
                result.put("changed_windows", changedWindows);
                result.put("deltas", reported);
                result.put("stripe_calls", stripeCalls);
                result.put("deltas_per_s", round(reported / runSeconds));
                result.put("run_s", round(runSeconds));
                result.put("run_wall_s", round(wallSeconds));
                result.put("events_per_call", round(stripeCalls == 0 ? 0 : (double) counted / stripeCalls));
                result.put("failed", run.get("failed").asLong());
                result.put("exact", mismatches == 0 && pipelineExact && run.get("failed").asLong() == 0);
                result.put("summary_mismatches", mismatches);
                result.put("pipeline_exact", pipelineExact);
                result.put("aggregation_s", round(aggregationSeconds));
                result.put("second_run_calls", secondCalls);
                result.put("second_run_reported", second.get("reported").asLong());
                if (v2) {
                    result.put("requests", stripeCalls);
                    result.put("requests_expected", (changedWindows + 99) / 100);
                    result.put("deltas_per_request", round(stripeCalls == 0 ? 0 : (double) reported / stripeCalls));
                    result.put("second_run_confirmed", second.path("confirmed").asLong());
                    result.put("second_run_s", round2(seconds(second)));
                    // documents reporting wrote to MongoDB per delta (ledger, stream requests, marks): decision 0142
                    result.put("documents_written_per_delta", run.has("documentsWritten") && reported > 0
                            ? round2(run.get("documentsWritten").asDouble() / reported) : null);
                    result.put("second_run_documents_written", second.has("documentsWritten")
                            ? second.get("documentsWritten").asLong() : null);
                } else {
                    result.put("calls_equal_changed_windows", stripeCalls == changedWindows);
                }
                result.put("first_run_scope", run.get("scope").asText());
                result.put("windows_changed", changed.size());
                result.put("windows_examined", changedRun.get("total").asLong());
                result.put("examined_within_2x_changed", changedRun.get("total").asLong() <= 2L * changed.size());
                result.put("changed_run_s", round2(changedRunSeconds));
                result.put("changed_run_reported", changedRun.get("reported").asLong());
                result.put("changed_exact", changedMismatches == 0 && changedRun.get("failed").asLong() == 0);
                result.put("idle_windows_examined", idleRun.get("total").asLong());
                result.put("idle_run_s", round2(idleRunSeconds));
                return result;
            }
        }
    }

    /** The generated workload: per window id, the value Meterline must compute. */
    record Workload(Map<String, Double> windows, Map<String, Long> counts, long producedAtNanos) {
    }

    /**
     * The windows aggregation would write for the workload (direct mode), 1000 per bulk write. Without change marks:
     * a fresh database's first run reads every window (scope {@code full}) and completes the marks.
     */
    static void writeWindows(MongoCollection<Document> collection, Workload workload) {
        List<Document> batch = new ArrayList<>(1000);
        java.util.Date now = new java.util.Date();
        for (Map.Entry<String, Double> e : workload.windows.entrySet()) {
            String[] id = e.getKey().split("\\|");
            long start = Long.parseLong(id[3]);
            String aggregation = java.util.Arrays.stream(METERS).filter(m -> m[0].equals(id[0])).findFirst().orElseThrow()[2];
            double value = e.getValue();
            batch.add(new Document("_id", e.getKey()).append("meter", id[0]).append("subject", id[1])
                    .append("organization", null).append("groupKey", "").append("group", new Document())
                    .append("windowStart", new java.util.Date(start * 1000)).append("windowEnd", new java.util.Date((start + 3600) * 1000))
                    .append("aggregation", aggregation).append("value", value).append("eventCount", workload.counts.get(e.getKey()))
                    .append("version", 1L).append("updatedAt", now).append("sum", value).append("min", value)
                    .append("max", value).append("lastTime", start * 1000).append("lastValue", value).append("uniques", List.of()));
            if (batch.size() == 1000) {
                collection.insertMany(batch);
                batch = new ArrayList<>(1000);
            }
        }
        if (!batch.isEmpty()) {
            collection.insertMany(batch);
        }
    }

    /**
     * Raises the value of a share of the windows as aggregation's writer would: the change marks first
     * ({@link WindowChangeDocument}: one document listing each window with the version about to be written), then the
     * windows at those versions. Returns the new values by window id.
     */
    static Map<String, Double> changeSome(MongoDatabase db, Map<String, Double> local, double share, Random random) {
        List<String> ids = new ArrayList<>(local.keySet());
        java.util.Collections.sort(ids);
        java.util.Collections.shuffle(ids, random);
        List<String> chosen = ids.subList(0, (int) Math.ceil(ids.size() * share));
        MongoCollection<Document> windows = db.getCollection(UsageWindowDocument.COLLECTION);
        MongoCollection<Document> changes = db.getCollection(WindowChangeDocument.COLLECTION);
        Map<String, Double> changed = new HashMap<>();
        for (int from = 0; from < chosen.size(); from += 1000) {
            List<String> chunk = chosen.subList(from, Math.min(chosen.size(), from + 1000));
            List<Document> marks = new ArrayList<>();
            List<WriteModel<Document>> writes = new ArrayList<>();
            for (Document window : windows.find(Filters.in("_id", chunk))) {
                String id = window.getString("_id");
                long version = ((Number) window.get("version")).longValue() + 1;
                double value = ((Number) window.get("value")).doubleValue() + 1 + random.nextInt(10);
                changed.put(id, value);
                marks.add(new Document(WindowChangeDocument.WINDOW, id).append(WindowChangeDocument.VERSION, version));
                writes.add(new UpdateOneModel<>(Filters.eq("_id", id), Updates.combine(Updates.set("version", version),
                        Updates.set("value", value), Updates.set("sum", value), Updates.set("max", value),
                        Updates.set("lastValue", value))));
            }
            changes.insertOne(new Document("_id", new ObjectId()).append(WindowChangeDocument.MARKS, marks));
            windows.bulkWrite(writes);
        }
        return changed;
    }

    private static double seconds(JsonNode run) {
        return Duration.between(Instant.parse(run.get("started").asText()), Instant.parse(run.get("finished").asText()))
                .toMillis() / 1000.0;
    }

    static double round2(double value) {
        return Math.round(value * 100) / 100.0;
    }

    static String subject(int index) {
        return String.format("bench-cust-%04d", index);
    }

    /** Billing's heap: the 1 GB default plus 1 GB per 500,000 windows a full run reads. */
    static String billingHeap(long windows) {
        return (1 + (windows + 499_999) / 500_000) + "g";
    }

    static String heap(long windows, int customers) {
        String forWindows = PeriodsBenchmark.windowsHeap(windows);
        return (Integer.parseInt(forWindows.substring(0, forWindows.length() - 1)) + customers / 2500) + "g";
    }

    static Workload produce(String bootstrap, int customers, int hours, int events, Instant firstHour) {
        Random random = new Random(42);
        int windowsCount = customers * METERS.length * hours;
        Map<String, Double> expected = new HashMap<>(windowsCount * 2);
        Map<String, Long> lastTime = new HashMap<>(windowsCount * 2);
        Map<String, Long> counts = new HashMap<>(windowsCount * 2);
        try (KafkaProducer<String, byte[]> producer = bootstrap == null ? null : new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 65536, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < events; i++) {
                // every window gets events: walk them round-robin, then add randomly
                int window = i < windowsCount ? i : random.nextInt(windowsCount);
                int customer = window % customers;
                int meter = (window / customers) % METERS.length;
                int hour = window / (customers * METERS.length);
                String subject = subject(customer);
                long hourStart = firstHour.getEpochSecond() + hour * 3600L;
                // distinct millisecond times inside the hour, so "last" is unambiguous
                long timeMillis = hourStart * 1000 + (i % 3_599_000);
                String id = UsageWindowDocument.idOf(METERS[meter][0], subject, "", hourStart);
                ObjectNode event = JSON.createObjectNode().put("id", "bench-" + i).put("source", "bench")
                        .put("type", METERS[meter][1]).put("subject", subject)
                        .put("time", Instant.ofEpochMilli(timeMillis).toString());
                ObjectNode data = event.putObject("data");
                counts.merge(id, 1L, Long::sum);
                switch (METERS[meter][2]) {
                    case "COUNT" -> expected.merge(id, 1.0, Double::sum);
                    case "SUM" -> {
                        double tokens = (1 + random.nextInt(200)) / 2.0;
                        data.put("tokens", tokens);
                        expected.merge(id, tokens, Double::sum);
                    }
                    default -> {
                        double gb = random.nextInt(10_000) / 4.0;
                        data.put("gb", gb);
                        if (timeMillis >= lastTime.getOrDefault(id, Long.MIN_VALUE)) {
                            lastTime.put(id, timeMillis);
                            expected.put(id, gb);
                        }
                    }
                }
                if (producer != null) {
                    producer.send(new ProducerRecord<>(Topics.USAGE_EVENTS, subject,
                            event.toString().getBytes(StandardCharsets.UTF_8)));
                }
            }
            if (producer != null) {
                producer.flush();
            }
        }
        return new Workload(expected, counts, System.nanoTime());
    }

    /** Compares Stripe's hourly summaries with floor(local window value); returns the number of differences. */
    private static long compare(StripeClient stripe, Map<String, Meter> meters, String[] customerIds, Instant firstHour,
            int hours, Map<String, Double> local) throws Exception {
        AtomicLong mismatches = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> checks = new ArrayList<>();
        long start = firstHour.getEpochSecond();
        for (Map.Entry<String, Meter> meter : meters.entrySet()) {
            for (int c = 0; c < customerIds.length; c++) {
                String subject = subject(c);
                String customerId = customerIds[c];
                checks.add(pool.submit(() -> {
                    Map<Long, Long> atStripe = new HashMap<>();
                    for (MeterEventSummary s : stripe.v1().billing().meters().eventSummaries().list(meter.getValue().getId(),
                            MeterEventSummaryListParams.builder().setCustomer(customerId).setStartTime(start)
                                    .setEndTime(start + hours * 3600L).setLimit(100L)
                                    .setValueGroupingWindow(MeterEventSummaryListParams.ValueGroupingWindow.HOUR).build())
                            .autoPagingIterable()) {
                        atStripe.put(s.getStartTime(), s.getAggregatedValue().longValue());
                    }
                    for (int h = 0; h < hours; h++) {
                        long hourStart = start + h * 3600L;
                        Double value = local.get(UsageWindowDocument.idOf(meter.getKey(), subject, "", hourStart));
                        long expected = value == null ? 0 : (long) Math.floor(value);
                        if (atStripe.getOrDefault(hourStart, 0L) != expected) {
                            mismatches.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
        }
        for (Future<?> f : checks) {
            f.get();
        }
        pool.shutdown();
        return mismatches.get();
    }

    /** Meter event requests the stand-in received: v1 calls, or v2 stream requests. */
    private static long meterEventCalls(HttpClient http, Stack stack, boolean v2) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.stripeApiBase() + "/_standin/stats"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).path("requests")
                .path(v2 ? "POST /v2/billing/meter_event_stream" : "POST /v1/billing/meter_events").asLong();
    }

    static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static void progress(String message) {
        System.err.println("[bench report] " + message);
    }
}
