package io.meterline.cli.bench;

import static io.meterline.cli.bench.BenchArgs.intOption;
import static io.meterline.cli.bench.BenchHttp.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;
import com.sun.net.httpserver.HttpServer;
import io.meterline.cli.Benchmark;
import io.meterline.cli.Stack;
import io.meterline.model.period.WebhookSignature;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.UsageWindowDocument;
import org.HdrHistogram.Histogram;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.codecs.pojo.PojoCodecProvider;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./meterline bench periods}: hourly windows of 1,000 customers × 3 meters × 30 days (the first 30 days of
 * the last complete month) written to MongoDB in aggregation's shape, then one catch-up run of billing-service
 * closing every day and the month, published to {@code usage-periods} and delivered as signed webhooks to a
 * receiver started here (signatures verified). Options: {@code --customers N} (1000), {@code --days N} (30),
 * {@code --hours-per-day N} (24: windows per customer, meter and day).
 */
public final class PeriodsBenchmark implements Benchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[][] METERS = {
            {"bench-calls", "COUNT"}, {"bench-tokens", "SUM"}, {"bench-latency", "AVG"}};

    @Override
    public Map<String, Object> run(Path home, List<String> args) throws Exception {
        int customers = intOption(args, "--customers", 1000);
        int days = intOption(args, "--days", 30);
        int hoursPerDay = intOption(args, "--hours-per-day", 24);
        LocalDate month = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).minusMonths(1);
        days = Math.min(days, month.lengthOfMonth());
        Instant first = month.atStartOfDay(ZoneOffset.UTC).toInstant();

        // the in-memory Mongo-wire server keeps every window as a Java map: 2.16 M of them need more than the usual 2 GB
        String heap = windowsHeap((long) customers * METERS.length * days * hoursPerDay);
        try (Stack stack = Stack.startInfrastructure(home, List.of("--fresh"), heap);
             Receiver receiver = new Receiver()) {
            long windows = (long) customers * METERS.length * days * hoursPerDay;
            progress("writing " + windows + " hourly windows (" + customers + " customers × " + METERS.length
                    + " meters × " + days + " days × " + hoursPerDay + " hours) of " + month.getMonth() + " to MongoDB");
            long writeStart = System.nanoTime();
            writeWindows(stack.mongoConnectionString(), customers, days, hoursPerDay, first);
            progress(String.format("written in %.1f s (dev stack heap %s)", (System.nanoTime() - writeStart) / 1e9, heap));

            progress("starting billing-service (sizes day and month, catch-up triggered by the benchmark)");
            Map<String, String> billing = new LinkedHashMap<>(Map.of("billing.reporting.cron", "off", "quarkus.log.level", "WARN",
                    "quarkus.log.category.\"io.meterline\".level", "INFO",
                    "billing.periods.sizes", "day,month", "billing.periods.catch-up-every", "off",
                    "billing.periods.lookback.day", "P70D", "billing.periods.lookback.month", "P100D",
                    "billing.notifications.dispatch-every", "1s", "billing.notifications.concurrency", "32",
                    "kafka-streams.state.dir", stack.stateDir().resolve("streams-" + System.nanoTime()).toString()));
            stack.startService("billing", billing);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String token = stack.operatorToken();
            for (String[] meter : METERS) {
                ObjectNode body = JSON.createObjectNode().put("eventType", "bench." + meter[0]).put("aggregation", meter[1])
                        .put("stripeEventName", meter[0].replace('-', '_'));
                if (!meter[1].equals("COUNT")) {
                    body.put("valuePath", "v");
                }
                send(http, "PUT", stack.billingUrl() + "/v1/meters/" + meter[0], token, body, 200);
            }
            JsonNode endpoint = send(http, "POST", stack.billingUrl() + "/admin/webhook-endpoints", token,
                    JSON.createObjectNode().put("url", receiver.url()), 201);
            receiver.secret = endpoint.path("secret").asText();

            progress("catch-up run: closing every complete day and month");
            Duration billingCpu = stack.cpuTime("billing");
            Duration mongoCpu = stack.cpuTime("dev-stack");
            long closeStart = System.nanoTime();
            JsonNode run = send(http, "POST", stack.billingUrl() + "/admin/periods/catch-up", token, null, 200);
            double closeSeconds = (System.nanoTime() - closeStart) / 1e9;
            billingCpu = stack.cpuTime("billing").minus(billingCpu);
            mongoCpu = stack.cpuTime("dev-stack").minus(mongoCpu);
            long closed = run.path("closed").asLong();
            long expected = (long) customers * METERS.length * (days + 1); // every day with usage, and the month
            progress(String.format("closed %d periods (expected %d) in %.1f s: %.0f periods/s", closed, expected,
                    closeSeconds, closed / closeSeconds));
            progress(String.format("CPU during the close: billing-service %.1f s, dev stack (Mongo-wire, Kafka) %.1f s",
                    billingCpu.toMillis() / 1e3, mongoCpu.toMillis() / 1e3));

            // deliveries run beside the close: how many arrived during it, and what one costs, measured in the tail after
            // it (billing's sender, the dev stack's Mongo-wire writes, and this process's receiver)
            long deliveredDuringClose = receiver.distinct.size();
            Duration tailBillingCpu = stack.cpuTime("billing");
            Duration tailMongoCpu = stack.cpuTime("dev-stack");
            Duration tailReceiverCpu = ownCpu();
            progress("waiting for every webhook delivery");
            long deliveryStart = System.nanoTime();
            long lastCount = -1;
            long lastChange = System.nanoTime();
            while (receiver.distinct.size() < closed && System.nanoTime() - lastChange < Duration.ofMinutes(2).toNanos()) {
                Thread.sleep(1000);
                if (receiver.distinct.size() != lastCount) {
                    lastCount = receiver.distinct.size();
                    lastChange = System.nanoTime();
                    progress("  " + lastCount + " of " + closed + " delivered");
                }
            }
            double deliverySeconds = (System.nanoTime() - deliveryStart) / 1e9;
            long deliveredAfterClose = receiver.distinct.size() - deliveredDuringClose;
            tailBillingCpu = stack.cpuTime("billing").minus(tailBillingCpu);
            tailMongoCpu = stack.cpuTime("dev-stack").minus(tailMongoCpu);
            tailReceiverCpu = ownCpu().minus(tailReceiverCpu);

            Map<String, Object> result = new LinkedHashMap<>();
            result.put("customers", customers);
            result.put("meters", METERS.length);
            result.put("days", days);
            result.put("hourly_windows", windows);
            result.put("periods_expected", expected);
            result.put("periods_closed", closed);
            result.put("close_seconds", round(closeSeconds));
            result.put("periods_per_s", Math.round(closed / closeSeconds));
            // load-independent: CPU per closed period, of billing-service and of the dev stack (the Mongo-wire server
            // and Kafka share that JVM), while the catch-up ran (webhook deliveries going on meanwhile included)
            result.put("billing_cpu_ms_per_period", closed == 0 ? 0 : Math.round(billingCpu.toMillis() * 1000.0 / closed) / 1000.0);
            result.put("dev_stack_cpu_ms_per_period", closed == 0 ? 0 : Math.round(mongoCpu.toMillis() * 1000.0 / closed) / 1000.0);
            result.put("notifications_delivered", receiver.distinct.size());
            result.put("duplicates_delivered", receiver.accepted.get() - receiver.distinct.size());
            result.put("bad_signatures", receiver.badSignatures.get());
            result.put("close_to_delivery_p50_ms", receiver.latency.getValueAtPercentile(50));
            result.put("close_to_delivery_p99_ms", receiver.latency.getValueAtPercentile(99));
            result.put("delivery_seconds_after_close", round(deliverySeconds));
            result.put("delivered_during_close", deliveredDuringClose);
            // CPU per webhook delivered after the close (nothing else runs then): billing, dev stack, receiver
            result.put("delivery_cpu_ms_billing", perUnit(tailBillingCpu, deliveredAfterClose));
            result.put("delivery_cpu_ms_dev_stack", perUnit(tailMongoCpu, deliveredAfterClose));
            result.put("delivery_cpu_ms_receiver", perUnit(tailReceiverCpu, deliveredAfterClose));
            return result;
        }
    }

    static String windowsHeap(long windows) {
        // 6 GB for 2.16 M windows thrashed in full collections once the close added its periods and deliveries
        return windows > 500_000 ? (2 + windows / 250_000) + "g" : "2g";
    }

    private static void writeWindows(String connection, int customers, int days, int hoursPerDay, Instant first)
            throws Exception {
        var registry = CodecRegistries.fromRegistries(MongoClientSettings.getDefaultCodecRegistry(),
                CodecRegistries.fromProviders(PojoCodecProvider.builder().automatic(true).build()));
        try (MongoClient mongo = MongoClients.create(connection)) {
            MongoCollection<UsageWindowDocument> collection = mongo.getDatabase("meterline").withCodecRegistry(registry)
                    .getCollection(UsageWindowDocument.COLLECTION, UsageWindowDocument.class);
            ExecutorService writers = Executors.newFixedThreadPool(4);
            List<Future<?>> done = new ArrayList<>();
            Date now = new Date();
            for (int c = 0; c < customers; c++) {
                int customer = c;
                done.add(writers.submit(() -> {
                    List<UsageWindowDocument> batch = new ArrayList<>(METERS.length * days * hoursPerDay);
                    for (String[] meter : METERS) {
                        for (int d = 0; d < days; d++) {
                            for (int h = 0; h < hoursPerDay; h++) {
                                batch.add(window(meter, "cust-" + customer, first.plus(Duration.ofHours(d * 24L + h)),
                                        customer + d + h, now));
                            }
                        }
                    }
                    for (int i = 0; i < batch.size(); i += 1000) {
                        collection.insertMany(batch.subList(i, Math.min(batch.size(), i + 1000)),
                                new InsertManyOptions().ordered(false));
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
            writers.shutdown();
        }
    }

    private static UsageWindowDocument window(String[] meter, String customer, Instant hour, int seed, Date now) {
        UsageWindowDocument window = new UsageWindowDocument();
        window.id = UsageWindowDocument.idOf(meter[0], customer, "", hour.getEpochSecond());
        window.meter = meter[0];
        window.subject = customer;
        window.groupKey = "";
        window.group = Map.of();
        window.windowStart = Date.from(hour);
        window.windowEnd = Date.from(hour.plus(Duration.ofHours(1)));
        window.aggregation = Aggregation.valueOf(meter[1]);
        window.eventCount = 1 + seed % 7;
        window.sum = window.eventCount * (1 + seed % 5);
        window.min = 1;
        window.max = 1 + seed % 5;
        window.lastTime = hour.toEpochMilli();
        window.lastValue = window.max;
        window.value = switch (window.aggregation) {
            case COUNT -> window.eventCount;
            case AVG -> window.sum / window.eventCount;
            default -> window.sum;
        };
        window.version = window.eventCount;
        window.updatedAt = now;
        window.uniques = List.of();
        return window;
    }

    /** Receives the webhooks, checks each signature, and measures close-to-delivery from the record's closedAt. */
    static final class Receiver implements AutoCloseable {
        final Set<String> distinct = ConcurrentHashMap.newKeySet();
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong badSignatures = new AtomicLong();
        final Histogram latency = new Histogram(3_600_000L, 3);
        volatile String secret;
        private final HttpServer server;

        Receiver() throws Exception {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newFixedThreadPool(16));
            server.createContext("/hook", exchange -> {
                byte[] bytes = exchange.getRequestBody().readAllBytes();
                String body = new String(bytes, StandardCharsets.UTF_8);
                if (!verify(exchange.getRequestHeaders().getFirst("Meterline-Signature"), body)) {
                    badSignatures.incrementAndGet();
                    exchange.sendResponseHeaders(400, -1);
                    exchange.close();
                    return;
                }
                JsonNode record = JSON.readTree(bytes);
                accepted.incrementAndGet();
                if (distinct.add(record.path("id").asText())) {
                    long millis = System.currentTimeMillis() - Instant.parse(record.path("closedAt").asText()).toEpochMilli();
                    synchronized (latency) {
                        latency.recordValue(Math.max(0, Math.min(millis, 3_600_000L)));
                    }
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        private boolean verify(String header, String body) {
            return WebhookSignature.verify(secret, header, body, Instant.now().getEpochSecond(), 300);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static double perUnit(Duration cpu, long units) {
        return units == 0 ? 0 : Math.round(cpu.toNanos() / 1000.0 / units) / 1000.0;
    }

    /** CPU this process (the benchmark and its webhook receiver) has used so far. */
    private static Duration ownCpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static void progress(String message) {
        System.err.println("[bench periods] " + message);
    }
}
