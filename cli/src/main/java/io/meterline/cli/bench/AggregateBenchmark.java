package io.meterline.cli.bench;

import static io.meterline.cli.bench.BenchArgs.intOption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.meterline.cli.Benchmark;
import io.meterline.cli.Stack;
import io.meterline.model.Topics;
import io.meterline.model.usage.UsageWindowDocument;
import io.meterline.model.usage.Windows;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
 * {@code ./meterline bench aggregate}: billing's aggregation pipeline end to end.
 *
 * <ol>
 * <li>Preload {@code usage-events} with N events (5% of them resent duplicates; 1,000 customers; 3 meters: COUNT,
 * SUM, MAX on three event types; event times over the last 3 hours) with a fast producer, then start billing-service
 * from an empty state and time it until every window in MongoDB equals the generator's expected total
 * ({@code events_per_s}, counted from the service's readiness).</li>
 * <li>Under a steady 5,000 events/s, send probe events (one per new customer) and time each from send to the
 * moment {@code GET /v1/usage} shows it ({@code e2e_p99_ms}).</li>
 * <li>{@code exact}: after each phase every window in MongoDB must equal the expected totals, and no other window
 * may exist. {@code mongo_writes_per_event}: window writes reported by the service / records consumed.</li>
 * </ol>
 *
 * <p>Options: {@code --events N} (1000000), {@code --customers N} (1000), {@code --hours N} (3),
 * {@code --steady-seconds S} (60, the steady phase issue 14 measures), {@code --steady-rate N} (5000),
 * {@code --probes-per-s N} (10), {@code --stream-threads N} (2), {@code --partitions N} (twice the stream threads),
 * {@code --warmup-events N} (0).
 *
 * <p>{@code --warmup-events N} measures against infrastructure that has been running, as production's Kafka and
 * MongoDB have: N events for other customers (same meters and hours, 5 % repeats) are aggregated to the end by a
 * first billing-service run (its own input topic and application id), which then stops; the measured backlog
 * is preloaded and a new billing-service (a fresh JVM, its own just-in-time compilation included) is timed as
 * above. Without it, the figure also includes the fresh
 * broker's and Mongo-wire server's compilation on the same cores.
 */
public final class AggregateBenchmark implements Benchmark {

    private static final String[] TYPES = {"api.call", "storage.write", "queue.depth"};
    private static final String[] METERS = {"bench-calls", "bench-units", "bench-peak"};
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Map<String, Object> run(Path home, List<String> args) throws Exception {
        Options options = Options.parse(args);
        Map<String, Object> result = new LinkedHashMap<>();
        String loadAverage = Files.readString(Path.of("/proc/loadavg")).trim();
        progress("load average before start: " + loadAverage);
        long runId = System.currentTimeMillis();
        Path stateDir = home.resolve(".meterline").resolve("billing-streams-" + runId);
        // partitions a multiple of the stream threads: with 3 partitions on 2 threads one thread had two thirds of
        // the work and the other waited (production: 12 partitions, deploy/base/kafka/topics.yaml)
        int partitions = options.partitions > 0 ? options.partitions : 2 * options.streamThreads;
        List<String> devStackArgs = List.of("--fresh", "--partitions", String.valueOf(partitions));
        try (Stack stack = Stack.startInfrastructure(home, devStackArgs)) {
            Expected expected = new Expected();
            Map<String, String> config = new LinkedHashMap<>();
            config.put("quarkus.kafka-streams.application-id", "billing-bench-" + runId);
            config.put("kafka-streams.state.dir", stateDir.toString());
            config.put("kafka-streams.num.stream.threads", String.valueOf(options.streamThreads));
            config.put("quarkus.log.level", "WARN");
            meterConfig(config);
            String applicationId = config.get("quarkus.kafka-streams.application-id");

            try (MongoClient mongo = MongoClients.create(stack.mongoConnectionString())) {
                MongoCollection<Document> windows = mongo.getDatabase("meterline")
                        .getCollection(UsageWindowDocument.COLLECTION);
                long warmupRecords = 0;
                double warmupSeconds = 0;
                if (options.warmupEvents > 0) {
                    // the infrastructure as production has it, running for a while: a first billing run, with its
                    // own input topic and application id, aggregates other customers' events to the end, then stops;
                    // the measured one starts as usual (sharing nothing with it but the broker and MongoDB)
                    String warmupTopic = Topics.USAGE_EVENTS + "-warmup";
                    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                            stack.kafkaBootstrap()))) {
                        admin.createTopics(List.of(new NewTopic(warmupTopic, partitions, (short) 1))).all().get();
                    }
                    try (KafkaProducer<String, byte[]> producer = producer(stack.kafkaBootstrap())) {
                        warmupRecords = preload(producer, warmupTopic, options.warmupEvents, "warm-", "w-", options,
                                expected);
                    }
                    Map<String, String> warmupConfig = new LinkedHashMap<>(config);
                    warmupConfig.put("quarkus.kafka-streams.application-id", applicationId + "-warmup");
                    warmupConfig.put("billing.aggregation.input-topic", warmupTopic);
                    warmupConfig.put("kafka-streams.state.dir", stateDir + "-warmup");
                    long warmupStart = System.nanoTime();
                    stack.startService("billing", warmupConfig);
                    awaitWritten(stack, applicationId + "-warmup", warmupTopic);
                    boolean warmExact = awaitExact(windows, expected, Duration.ofMinutes(15));
                    stack.stopService("billing", false);
                    warmupSeconds = (System.nanoTime() - warmupStart) / 1e9;
                    progress(String.format("warm-up: %d records for other customers aggregated in %.1f s (exact=%s), "
                            + "billing-service stopped", warmupRecords, warmupSeconds, warmExact));
                }
                progress("preloading " + options.events + " events (+5% duplicates) for " + options.customers
                        + " customers");
                long preloadStart = System.nanoTime();
                long records;
                try (KafkaProducer<String, byte[]> producer = producer(stack.kafkaBootstrap())) {
                    records = preload(producer, Topics.USAGE_EVENTS, options.events, "cust-", "p-", options, expected);
                }
                double preloadSeconds = (System.nanoTime() - preloadStart) / 1e9;
                progress(String.format("preloaded %d records in %.1f s (%.0f/s); %d windows expected", records,
                        preloadSeconds, records / preloadSeconds, expected.windows.size()));

                long launch = System.nanoTime();
                stack.startService("billing", config);
                long ready = System.nanoTime();
                progress(String.format("billing-service ready after %.1f s; waiting for exact windows",
                        (ready - launch) / 1e9));
                long aggregated = awaitWritten(stack, applicationId, Topics.USAGE_EVENTS);
                boolean exactAfterBacklog = awaitExact(windows, expected, Duration.ofMinutes(15));
                long done = System.nanoTime();
                double seconds = (done - ready) / 1e9;
                double eventsPerSecond = records / seconds;
                long writesAfterBacklog = windowWrites(stack);
                progress(String.format("backlog: %d records in %.1f s from readiness = %.0f events/s (%.0f/s from "
                        + "launch); exact=%s; %d window writes", records, seconds, eventsPerSecond,
                        records / ((done - launch) / 1e9), exactAfterBacklog, writesAfterBacklog));

                progress("steady phase: " + options.steadyRate + " events/s for " + options.steadySeconds
                        + " s with " + options.probesPerSecond + " probes/s");
                Histogram latency = new Histogram(60_000, 3);
                long steadyRecords = steady(stack, options, expected, latency);
                boolean exactAfterSteady = awaitExact(windows, expected, Duration.ofMinutes(5));
                long writes = windowWrites(stack);
                progress(String.format("steady: %d records, e2e p50 %d ms, p99 %d ms, max %d ms over %d probes; "
                        + "exact=%s", steadyRecords, latency.getValueAtPercentile(50),
                        latency.getValueAtPercentile(99), latency.getMaxValue(), latency.getTotalCount(),
                        exactAfterSteady));

                result.put("events_per_s", Math.round(eventsPerSecond));
                result.put("events_per_s_incl_startup", Math.round(records / ((done - launch) / 1e9)));
                result.put("backlog_records", records);
                result.put("backlog_seconds", round(seconds));
                result.put("startup_seconds", round((ready - launch) / 1e9));
                result.put("warmup_events", options.warmupEvents);
                if (options.warmupEvents > 0) {
                    result.put("warmup_records", warmupRecords);
                    result.put("warmup_seconds", round(warmupSeconds));
                }
                result.put("aggregated_seconds", round((aggregated - ready) / 1e9));
                result.put("writer_tail_seconds", round((done - aggregated) / 1e9));
                result.put("e2e_p50_ms", latency.getValueAtPercentile(50));
                result.put("e2e_p99_ms", latency.getValueAtPercentile(99));
                result.put("e2e_max_ms", latency.getMaxValue());
                result.put("probes", latency.getTotalCount());
                result.put("steady_seconds", options.steadySeconds);
                result.put("steady_rate", options.steadyRate);
                result.put("mongo_writes_per_event",
                        round((double) writes / (warmupRecords + records + steadyRecords)));
                result.put("mongo_writes_per_event_backlog",
                        round((double) writesAfterBacklog / (warmupRecords + records)));
                result.put("exact", exactAfterBacklog && exactAfterSteady);
                result.put("windows", expected.windows.size());
                result.put("stream_threads", options.streamThreads);
                result.put("partitions", partitions);
                result.put("preload_events_per_s", Math.round(records / preloadSeconds));
                result.put("cores", Runtime.getRuntime().availableProcessors());
                result.put("loadavg_at_start", loadAverage);
                result.put("note", "Kafka, MongoDB (in-memory mongo-java-server), billing-service and the load "
                        + "generator share the same " + Runtime.getRuntime().availableProcessors() + " cores");
            }
        } finally {
            deleteRecursively(stateDir);
            deleteRecursively(Path.of(stateDir + "-warmup"));
        }
        return result;
    }

    /** {@code events} events (plus 5 % repeats) for customers {@code customerPrefix0..}, ids {@code idPrefix0..}. */
    private static long preload(KafkaProducer<String, byte[]> producer, String topic, int events,
            String customerPrefix, String idPrefix, Options options, Expected expected) {
        Random random = new Random(customerPrefix.hashCode() + 42);
        long now = Instant.now().toEpochMilli();
        long span = options.hours * Windows.HOUR_MILLIS - 120_000;
        byte[][] recent = new byte[10_000][];
        String[] recentKeys = new String[recent.length];
        long records = 0;
        for (int i = 0; i < events; i++) {
            if (i > 0 && random.nextDouble() < 0.05) {
                int slot = random.nextInt(Math.min(i, recent.length));
                producer.send(new ProducerRecord<>(topic, recentKeys[slot], recent[slot]));
                records++;
            }
            String customer = customerPrefix + random.nextInt(options.customers);
            long time = now - 60_000 - (long) (random.nextDouble() * span);
            byte[] event = expected.event(idPrefix + i, customer, random.nextInt(TYPES.length), 1 + random.nextInt(100),
                    time);
            producer.send(new ProducerRecord<>(topic, customer, event));
            recent[i % recent.length] = event;
            recentKeys[i % recent.length] = customer;
            records++;
        }
        producer.flush();
        return records;
    }

    /** Steady load at the requested rate, with probes timed from send until the query API shows them. */
    private static long steady(Stack stack, Options options, Expected expected, Histogram latency) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String token = stack.operatorToken();
        ExecutorService probes = Executors.newFixedThreadPool(16);
        List<Future<?>> pending = new ArrayList<>();
        Random random = new Random(7);
        AtomicLong sent = new AtomicLong();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(options.steadySeconds);
        long probeEvery = TimeUnit.SECONDS.toNanos(1) / options.probesPerSecond;
        long nextProbe = start + TimeUnit.SECONDS.toNanos(2);
        int probe = 0;
        try (KafkaProducer<String, byte[]> producer = producer(stack.kafkaBootstrap())) {
            long i = 0;
            while (System.nanoTime() < end) {
                long due = start + (long) (i * 1e9 / options.steadyRate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(Math.min(wait, 1_000_000));
                    continue;
                }
                String customer = "cust-" + random.nextInt(options.customers);
                byte[] event = expected.event("s-" + i, customer, random.nextInt(TYPES.length), 1 + random.nextInt(100),
                        Instant.now().toEpochMilli());
                producer.send(new ProducerRecord<>(Topics.USAGE_EVENTS, customer, event));
                sent.incrementAndGet();
                i++;
                if (System.nanoTime() >= nextProbe) {
                    nextProbe += probeEvery;
                    String probeCustomer = "probe-" + (probe++);
                    long sentAt = System.nanoTime();
                    byte[] probeEvent = expected.event("probe-" + probe, probeCustomer, 0, 1, Instant.now().toEpochMilli());
                    producer.send(new ProducerRecord<>(Topics.USAGE_EVENTS, probeCustomer, probeEvent));
                    sent.incrementAndGet();
                    pending.add(probes.submit(() -> awaitVisible(http, stack, token, probeCustomer, sentAt, latency)));
                }
            }
            producer.flush();
        }
        for (Future<?> future : pending) {
            future.get(60, TimeUnit.SECONDS);
        }
        probes.shutdown();
        return sent.get();
    }

    private static void awaitVisible(HttpClient http, Stack stack, String token, String customer, long sentAt,
            Histogram latency) {
        Instant now = Instant.now();
        String url = stack.billingUrl() + "/v1/usage?meter=" + METERS[0] + "&customer=" + customer
                + "&window=hour&from=" + encode(now.minus(Duration.ofHours(2)).toString())
                + "&to=" + encode(now.plus(Duration.ofHours(2)).toString());
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = sentAt + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    JsonNode windows = JSON.readTree(response.body()).path("windows");
                    if (windows.size() > 0 && windows.get(0).path("value").asDouble() >= 1) {
                        synchronized (latency) {
                            latency.recordValue(Math.min(60_000, (System.nanoTime() - sentAt) / 1_000_000));
                        }
                        return;
                    }
                }
                // every 25 ms: polling each probe every 10 ms put hundreds of queries a second on billing and
                // MongoDB whenever visibility slowed, which slowed it further
                Thread.sleep(25);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        synchronized (latency) {
            latency.recordValue(60_000);
        }
    }

    /** Waits until MongoDB holds exactly the expected windows; false on timeout. */
    private static boolean awaitExact(MongoCollection<Document> windows, Expected expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastDifference = "";
        while (System.nanoTime() < deadline) {
            Map<String, Double> actual = new HashMap<>(expected.windows.size() * 2);
            for (Document document : windows.find().projection(new Document("value", 1))) {
                actual.put(document.getString("_id"), ((Number) document.get("value")).doubleValue());
            }
            lastDifference = expected.difference(actual);
            if (lastDifference.isEmpty()) {
                return true;
            }
            Thread.sleep(250);
        }
        progress("not exact before the timeout: " + lastDifference);
        return false;
    }

    /**
     * Waits until a consumer group committed its offsets up to {@code end} (a topic's end offsets): for billing's Kafka
     * Streams application on the usage topic, every record aggregated, dropped as a repeat or dead-lettered in a
     * committed transaction; for the MongoDB writer on the windows changelog, every window written. Returns that
     * moment ({@link System#nanoTime}). Asks the broker, not the service: scraping the service's metrics ten times a
     * second cost it as much CPU as its MongoDB writer.
     */
    private static long awaitCommitted(Admin admin, String group, Map<TopicPartition, Long> end, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            boolean done = end.entrySet().stream().allMatch(e -> {
                OffsetAndMetadata offset = committed.get(e.getKey());
                // a transaction's commit marker takes an offset after the last record
                return e.getValue() == 0 || offset != null && offset.offset() >= e.getValue();
            });
            if (done) {
                return System.nanoTime();
            }
            Thread.sleep(100);
        }
        return System.nanoTime();
    }

    /**
     * Waits until billing's Kafka Streams application has committed to the end of the usage topic, then until its
     * MongoDB writer has committed to the end of the windows changelog (it commits after each write), before anyone
     * reads every window: scanning the collection four times a second loaded the server the writer was writing to.
     * Returns when the aggregation had committed every record ({@link System#nanoTime}).
     */
    private static long awaitWritten(Stack stack, String applicationId, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
            Duration timeout = Duration.ofMinutes(15);
            long aggregated = awaitCommitted(admin, applicationId, endOffsets(admin, topic), timeout);
            awaitCommitted(admin, applicationId + "-mongo-writer",
                    endOffsets(admin, Topics.windowsChangelog(applicationId)), timeout);
            return aggregated;
        }
    }

    /** The topic's end offset per partition, now. */
    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        for (TopicPartitionInfo partition : admin.describeTopics(List.of(topic))
                .allTopicNames().get().get(topic).partitions()) {
            ends.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> end = new HashMap<>();
        admin.listOffsets(ends).all().get().forEach((partition, info) -> end.put(partition, info.offset()));
        return end;
    }

    private static long windowWrites(Stack stack) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String body = http.send(HttpRequest.newBuilder(URI.create(stack.billingUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith("meterline_billing_window_writes_total")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    private static void meterConfig(Map<String, String> config) {
        config.put("billing.meters.bench-calls.event-type", TYPES[0]);
        config.put("billing.meters.bench-calls.aggregation", "COUNT");
        config.put("billing.meters.bench-calls.stripe-event-name", "api_calls");
        config.put("billing.meters.bench-units.event-type", TYPES[1]);
        config.put("billing.meters.bench-units.aggregation", "SUM");
        config.put("billing.meters.bench-units.value-path", "units");
        config.put("billing.meters.bench-units.stripe-event-name", "storage_units");
        config.put("billing.meters.bench-peak.event-type", TYPES[2]);
        config.put("billing.meters.bench-peak.aggregation", "MAX");
        config.put("billing.meters.bench-peak.value-path", "units");
        config.put("billing.meters.bench-peak.stripe-event-name", "queue_peak");
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /** The generator's ground truth: window id → expected value, for the three meters. */
    private static final class Expected {
        final Map<String, Double> windows = new HashMap<>();

        byte[] event(String id, String customer, int type, int units, long timeMillis) {
            long hour = Windows.hourStartMillis(timeMillis) / 1000;
            String window = UsageWindowDocument.idOf(METERS[type], customer, "", hour);
            switch (type) {
                case 0 -> windows.merge(window, 1.0, Double::sum);
                case 1 -> windows.merge(window, (double) units, Double::sum);
                default -> windows.merge(window, (double) units, Math::max);
            }
            return ("{\"id\":\"" + id + "\",\"source\":\"bench\",\"type\":\"" + TYPES[type] + "\",\"subject\":\""
                    + customer + "\",\"time\":\"" + Instant.ofEpochMilli(timeMillis) + "\",\"data\":{\"units\":"
                    + units + "}}").getBytes(StandardCharsets.UTF_8);
        }

        /** "" when equal, else a short description of the first differences. */
        String difference(Map<String, Double> actual) {
            List<String> differences = new ArrayList<>();
            int missing = 0;
            int wrong = 0;
            for (Map.Entry<String, Double> entry : windows.entrySet()) {
                Double value = actual.get(entry.getKey());
                if (value == null) {
                    missing++;
                } else if (value.doubleValue() != entry.getValue().doubleValue()) {
                    wrong++;
                    if (differences.size() < 3) {
                        differences.add(entry.getKey() + " expected " + entry.getValue() + " was " + value);
                    }
                }
            }
            long extra = actual.keySet().stream().filter(id -> !windows.containsKey(id)).count();
            if (missing == 0 && wrong == 0 && extra == 0) {
                return "";
            }
            return missing + " missing, " + wrong + " different, " + extra + " unexpected " + differences;
        }
    }

    private record Options(int events, int customers, int hours, int steadySeconds, int steadyRate,
            int probesPerSecond, int streamThreads, int partitions, int warmupEvents) {
        static Options parse(List<String> args) {
            return new Options(intOption(args, "--events", 1_000_000), intOption(args, "--customers", 1000),
                    intOption(args, "--hours", 3), intOption(args, "--steady-seconds", 60),
                    intOption(args, "--steady-rate", 5000), intOption(args, "--probes-per-s", 10),
                    intOption(args, "--stream-threads", 2), intOption(args, "--partitions", 0),
                    intOption(args, "--warmup-events", 0));
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    private static void progress(String message) {
        System.err.println("[bench aggregate] " + message);
    }

    private static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (var paths = Files.walk(path)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            // best effort: a leftover state directory only costs disk
        }
    }
}
