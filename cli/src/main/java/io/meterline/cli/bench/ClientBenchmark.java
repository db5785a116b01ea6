package io.meterline.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterline.cli.Benchmark;
import io.meterline.cli.Ports;
import io.meterline.cli.Stack;
import io.meterline.cli.bench.ingest.EventBodies;
import io.meterline.cli.bench.ingest.HttpLoad;
import io.meterline.client.ClientMetrics;
import io.meterline.client.MeterlineClient;
import io.meterline.client.MeterlineEvent;
import io.meterline.model.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./meterline bench client}: events per second recorded through {@code meterline-client} into the ingest API
 * (from the first {@code record} until Meterline answered the last event), next to the raw ingest API in the same
 * run (batches over 8 keep-alive connections, as {@code bench ingest}); then an outage scenario — ingest-service
 * killed with {@code kill -9} and restarted while the client records — after which every event must be on the topic
 * ({@code lost}) and billing must count each once ({@code duplicates_counted}, through {@code GET /v1/usage}).
 *
 * <p>Options: {@code --events N} (throughput phase, default 200000), {@code --outage-events N} (100000),
 * {@code --raw-warmup S} (10), {@code --raw-seconds S} (20), {@code --batch-size N} (client and raw batches, 500).
 */
public final class ClientBenchmark implements Benchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CUSTOMERS = 10;

    @Override
    public Map<String, Object> run(Path home, List<String> args) throws Exception {
        int events = BenchArgs.intOption(args, "--events", 200_000);
        int outageEvents = BenchArgs.intOption(args, "--outage-events", 100_000);
        int rawSeconds = BenchArgs.intOption(args, "--raw-seconds", 20);
        int rawWarmup = BenchArgs.intOption(args, "--raw-warmup", 10);
        int batchSize = BenchArgs.intOption(args, "--batch-size", 500);
        String loadAverage = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        progress("load average before start: " + loadAverage);
        String run = Long.toString(System.currentTimeMillis(), 36);
        Map<String, Object> result = new LinkedHashMap<>();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        try (Stack stack = Stack.startInfrastructure(home, List.of("--fresh"))) {
            progress("starting ingest-service and billing-service");
            stack.startService("ingest", Map.of("quarkus.log.level", "WARN"));
            stack.startService("billing", Map.of("quarkus.log.level", "WARN"));
            String token = stack.jwt().token("bench-client", Set.of("usage:write"), List.of(), Duration.ofHours(2));
            URI endpoint = URI.create(stack.ingestUrl());

            progress("raw ingest API: batches of " + batchSize + ", 8 connections, " + rawWarmup + " s warm-up + "
                    + rawSeconds + " s");
            EventBodies bodies = new EventBodies("bench-raw-" + run);
            HttpLoad.Result raw = new HttpLoad(vertx, "127.0.0.1", Ports.service("ingest"), token)
                    .run(8, Duration.ofSeconds(rawWarmup), Duration.ofSeconds(rawSeconds), () -> bodies.batch(batchSize), 202,
                            () -> { }, () -> { });
            double rawEventsPerSecond = raw.okPerSecond() * batchSize;
            progress("raw: " + Math.round(rawEventsPerSecond) + " events/s; statuses " + raw.statuses() + ", failures "
                    + raw.failures());

            progress("client: " + events + " events recorded as fast as possible, until all are answered");
            Path spool = Files.createTempDirectory("meterline-bench-client-");
            double clientEventsPerSecond;
            try (MeterlineClient client = client(endpoint, token, spool.resolve("throughput"), batchSize)) {
                long start = System.nanoTime();
                for (int n = 0; n < events; n++) {
                    client.record(event("bench.client", n));
                }
                double recordSeconds = (System.nanoTime() - start) / 1e9;
                if (!client.flush(Duration.ofMinutes(10))) {
                    throw new IllegalStateException("the client did not deliver within 10 minutes: " + client.metrics());
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                clientEventsPerSecond = events / seconds;
                result.put("record_calls_per_s", Math.round(events / recordSeconds));
                progress("client: " + Math.round(clientEventsPerSecond) + " events/s delivered; record() "
                        + Math.round(events / recordSeconds) + " calls/s");
            }

            String type = "bench.client.outage." + run;
            String meter = "bench-client-" + run;
            HttpClient http = HttpClient.newHttpClient();
            send(http, "PUT", stack.billingUrl() + "/v1/meters/" + meter, stack.operatorToken(),
                    "{\"eventType\":\"" + type + "\",\"aggregation\":\"COUNT\",\"stripeEventName\":\"bench_client\"}");
            progress("outage: " + outageEvents + " events; ingest-service killed (kill -9) at 30 %, restarted");
            ClientMetrics outageMetrics;
            try (MeterlineClient client = client(endpoint, token, spool.resolve("outage"), batchSize)) {
                int killAt = outageEvents * 3 / 10;
                for (int n = 0; n < killAt; n++) {
                    client.record(event(type, n));
                }
                stack.stopService("ingest", true);
                for (int n = killAt; n < outageEvents; n++) {
                    client.record(event(type, n));
                }
                long waited = System.nanoTime();
                while (!client.metrics().unreachable() && System.nanoTime() - waited < TimeUnit.SECONDS.toNanos(60)) {
                    Thread.sleep(50);
                }
                progress("client sees ingest down (queued " + client.metrics().queued() + "); restarting ingest");
                stack.startService("ingest", Map.of("quarkus.log.level", "WARN"));
                if (!client.flush(Duration.ofMinutes(10))) {
                    throw new IllegalStateException("not delivered after the outage: " + client.metrics());
                }
                outageMetrics = client.metrics();
            }
            progress("reading the topic by (source, id)");
            TopicCount topic = countOnTopic(stack.kafkaBootstrap(), type, outageEvents);
            progress("waiting for billing to count them (GET /v1/usage)");
            long counted = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (System.nanoTime() < deadline) {
                counted = countedByBilling(http, stack, meter);
                if (counted >= topic.distinct()) {
                    break;
                }
                Thread.sleep(1000);
            }
            result.put("client_events_per_s", Math.round(clientEventsPerSecond));
            result.put("raw_ingest_events_per_s", Math.round(rawEventsPerSecond));
            result.put("share_of_raw", rawEventsPerSecond > 0
                    ? Math.round(clientEventsPerSecond / rawEventsPerSecond * 100) / 100.0 : null);
            result.put("events", events);
            result.put("batch_size", batchSize);
            result.put("outage_events", outageEvents);
            result.put("lost", outageEvents - topic.distinct());
            result.put("duplicates_on_topic", topic.records() - topic.distinct());
            result.put("counted_by_billing", counted);
            result.put("duplicates_counted", counted - topic.distinct());
            result.put("outage_failed_attempts", outageMetrics.failedAttempts());
            result.put("rejected", outageMetrics.rejected());
            result.put("load_avg_start", loadAverage);
            result.put("cores", Runtime.getRuntime().availableProcessors());
            result.put("note", "broker, ingest-service, billing-service and the client share these cores over loopback;"
                    + " the client sends one batch at a time, the raw load 8 concurrent batches");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        return result;
    }

    private static MeterlineClient client(URI endpoint, String token, Path spool, int batchSize) {
        return MeterlineClient.builder().endpoint(endpoint).token(token).source("bench-client").spoolDirectory(spool)
                .batchSize(batchSize).linger(Duration.ofMillis(20)).initialBackoff(Duration.ofMillis(100))
                .maxBackoff(Duration.ofSeconds(2)).build();
    }

    private static MeterlineEvent event(String type, int n) {
        return MeterlineEvent.builder().id(type + "-" + n).type(type).subject("bench-client-" + (n % CUSTOMERS))
                .put("units", 1 + n % 7).put("region", "eu-west-1").build();
    }

    private record TopicCount(long records, long distinct) {
    }

    /** Records of {@code type} on the usage topic, and how many distinct (source, id) among them. */
    private static TopicCount countOnTopic(String bootstrap, String type, int expected) throws Exception {
        byte[] marker = ("\"" + type + "\"").getBytes(StandardCharsets.UTF_8);
        Set<String> distinct = new HashSet<>(expected * 2);
        long records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.USAGE_EVENTS).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (contains(record.value(), marker)) {
                        JsonNode event = JSON.readTree(record.value());
                        records++;
                        distinct.add(event.get("source").textValue() + "|" + event.get("id").textValue());
                    }
                }
            }
        }
        return new TopicCount(records, distinct.size());
    }

    private static boolean contains(byte[] value, byte[] marker) {
        outer:
        for (int i = 0; i + marker.length <= value.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (value[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static long countedByBilling(HttpClient http, Stack stack, String meter) throws Exception {
        long total = 0;
        Instant from = Instant.now().minus(Duration.ofHours(3));
        Instant to = Instant.now().plus(Duration.ofHours(1));
        for (int c = 0; c < CUSTOMERS; c++) {
            JsonNode usage = send(http, "GET", stack.billingUrl() + "/v1/usage?meter=" + meter + "&customer=bench-client-"
                    + c + "&window=hour&from=" + from + "&to=" + to, stack.operatorToken(), null);
            for (JsonNode window : usage.path("windows")) {
                total += window.path("eventCount").asLong();
            }
        }
        return total;
    }

    private static JsonNode send(HttpClient http, String method, String url, String token, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(method + " " + url + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static void progress(String message) {
        System.err.println("[bench client] " + message);
    }
}
