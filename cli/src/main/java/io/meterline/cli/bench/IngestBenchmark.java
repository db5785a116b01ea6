package io.meterline.cli.bench;

import io.meterline.cli.Benchmark;
import io.meterline.cli.Ports;
import io.meterline.cli.Stack;
import io.meterline.cli.bench.ingest.EventBodies;
import io.meterline.cli.bench.ingest.HttpLoad;
import io.meterline.cli.bench.ingest.KafkaCeiling;
import io.meterline.cli.bench.ingest.ProcessCpu;
import io.meterline.model.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./meterline bench ingest}: the ingest API under load over loopback (batches, then single events),
 * and in the same run the raw Kafka producer ceiling on the same broker with the same producer settings.
 * Broker, service and load generator share this machine's cores, which the result says.
 *
 * <p>Options: {@code --duration S} (per phase, default 20), {@code --warmup S} (default 15),
 * {@code --batch-size N} (1000, the service's {@code ingest.max-batch-size}), {@code --batch-connections N} (8),
 * {@code --batch-pipelining N} (requests in flight per batch connection, 1), {@code --single-connections N} (96; 0 skips the single phase),
 * {@code --ceiling-seconds S} (10; 0 skips the ceiling), {@code --linger-ms N} (5),
 * {@code --compression 0|1} (1 = lz4, the service default; 0 = none, for both service and ceiling),
 * {@code --steady-warmup S} (60; 0 skips the steady window).
 * The batch load is measured twice: after {@code --warmup} (the batch figures) and, with the same load going on, again
 * after {@code --steady-warmup} more seconds ({@code steady_batch}), when the service's JIT compiler has settled: at 15 s
 * it was still compiling per-request code at 10–15 C2 methods a second (decision 0158). The top-level
 * {@code service_cpu_us_per_event} is the service process's CPU (all threads, JIT compiler included) during the steady
 * window divided by the events accepted in it; {@code service_cpu_us_per_event_after_<warmup>s} is the same for the
 * first window (the figure before decision 0158), and {@code service_cpu_batch_seconds_before} says how long the batch
 * load had run before the window of the top-level figure.
 */
public final class IngestBenchmark implements Benchmark {

    @Override
    public Map<String, Object> run(Path home, List<String> args) throws Exception {
        Options options = Options.parse(args);
        // the service and the ceiling producer get the very same producer settings
        String compression = options.compression == 0 ? "none" : "lz4";
        Map<String, String> serviceConfig = Map.of(
                "ingest.producer.linger-ms", String.valueOf(options.lingerMs),
                "ingest.producer.batch-size", "65536",
                "ingest.producer.compression", compression,
                "ingest.publish-timeout", "10S",
                "quarkus.log.level", "WARN");
        Map<String, Object> producerSettings = new HashMap<>();
        producerSettings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
        producerSettings.put(ProducerConfig.LINGER_MS_CONFIG, options.lingerMs);
        producerSettings.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
        producerSettings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        producerSettings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        producerSettings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000 - options.lingerMs);

        requireFreePorts();
        Map<String, Object> result = new LinkedHashMap<>();
        String loadAverage = loadAverage();
        progress("load average before start: " + loadAverage + " (other processes on this machine skew results)");
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        try (Stack stack = Stack.startInfrastructure(home, List.of("--fresh"))) {
            progress("starting ingest-service");
            stack.startService("ingest", serviceConfig);
            String token = stack.jwt().token("bench-loadgen", Set.of("usage:write"), List.of(), Duration.ofHours(2));
            int port = Ports.service("ingest");
            HttpLoad load = new HttpLoad(vertx, "127.0.0.1", port, token);
            EventBodies bodies = new EventBodies("bench-" + System.currentTimeMillis());
            Duration warmup = Duration.ofSeconds(options.warmupSeconds);
            Duration duration = Duration.ofSeconds(options.durationSeconds);

            progress("batch phase: batches of " + options.batchSize + ", " + options.batchConnections
                    + " connections × " + options.batchPipelining + " in flight, " + options.warmupSeconds
                    + " s warm-up + " + options.durationSeconds + " s");
            CpuWindow batchCpu = new CpuWindow(home, stack);
            HttpLoad.Result batch = load.run(options.batchConnections, options.batchPipelining, warmup, duration,
                    () -> bodies.batch(options.batchSize), 202, batchCpu::start, batchCpu::end);
            progress("batch: " + describe(batch) + "; CPU ms per 1000 events " + batchCpu.perThousand(
                    batch.okRequests() * options.batchSize));

            // the same load goes on and is measured again once the service's JIT has settled (decision 0158)
            CpuWindow steadyCpu = new CpuWindow(home, stack);
            HttpLoad.Result steady = null;
            if (options.steadyWarmupSeconds > 0) {
                progress("batch phase, steady window: " + options.steadyWarmupSeconds + " s more warm-up + "
                        + options.durationSeconds + " s");
                steady = load.run(options.batchConnections, options.batchPipelining,
                        Duration.ofSeconds(options.steadyWarmupSeconds), duration,
                        () -> bodies.batch(options.batchSize), 202, steadyCpu::start, steadyCpu::end);
                progress("steady batch: " + describe(steady) + "; CPU ms per 1000 events " + steadyCpu.perThousand(
                        steady.okRequests() * options.batchSize));
            }

            CpuWindow singleCpu = new CpuWindow(home, stack);
            HttpLoad.Result single = null;
            if (options.singleConnections > 0) {
                progress("single phase: " + options.singleConnections + " connections");
                single = load.run(options.singleConnections, warmup, duration, bodies::single, 202,
                        singleCpu::start, singleCpu::end);
                progress("single: " + describe(single) + "; CPU ms per 1000 requests " + singleCpu.perThousand(
                        single.okRequests()));
            }

            CpuWindow ceilingCpu = new CpuWindow(home, stack);
            KafkaCeiling.Result ceiling = null;
            if (options.ceilingSeconds > 0) {
                progress("Kafka ceiling: raw producer, same settings, " + options.ceilingSeconds + " s");
                ceiling = KafkaCeiling.measure(stack.kafkaBootstrap(), Topics.USAGE_EVENTS,
                        producerSettings, Duration.ofSeconds(2), Duration.ofSeconds(options.ceilingSeconds),
                        ceilingCpu::start, ceilingCpu::end);
                progress("ceiling: " + Math.round(ceiling.eventsPerSecond()) + " events/s (" + ceiling.failed()
                        + " failed); CPU ms per 1000 events " + ceilingCpu.perThousand(ceiling.acknowledged()));
            }

            long batchEventCount = batch.okRequests() * options.batchSize;
            double batchEvents = batch.okPerSecond() * options.batchSize;
            Object afterWarmup = batchCpu.serviceMicrosPer(batchEventCount);
            if (steady == null) {
                result.put("service_cpu_us_per_event", afterWarmup);
                result.put("service_cpu_batch_seconds_before", options.warmupSeconds);
            } else {
                long steadyEventCount = steady.okRequests() * options.batchSize;
                result.put("service_cpu_us_per_event", steadyCpu.serviceMicrosPer(steadyEventCount));
                result.put("service_cpu_batch_seconds_before", options.warmupSeconds + options.durationSeconds
                        + options.steadyWarmupSeconds);
                result.put("service_cpu_us_per_event_after_" + options.warmupSeconds + "s", afterWarmup);
                Map<String, Object> steadyFigures = new LinkedHashMap<>();
                steadyFigures.put("batch_events_per_s", Math.round(steady.okPerSecond() * options.batchSize));
                steadyFigures.put("batch_p50_ms", round(steady.percentileMillis(50)));
                steadyFigures.put("batch_p99_ms", round(steady.percentileMillis(99)));
                steadyFigures.put("cpu_busy_pct", steadyCpu.busyPercent());
                steadyFigures.put("cpu_ms_per_1k_events", steadyCpu.perThousand(steadyEventCount));
                steadyFigures.put("non_202_answers", steady.requests() - steady.okRequests());
                result.put("steady_batch", steadyFigures);
            }
            result.put("batch_events_per_s", Math.round(batchEvents));
            result.put("cpu_busy_pct", batchCpu.busyPercent());
            result.put("batch_req_per_s", Math.round(batch.okPerSecond()));
            result.put("batch_p50_ms", round(batch.percentileMillis(50)));
            result.put("batch_p99_ms", round(batch.percentileMillis(99)));
            result.put("single_req_per_s", single == null ? null : Math.round(single.okPerSecond()));
            result.put("single_p50_ms", single == null ? null : round(single.percentileMillis(50)));
            result.put("single_p99_ms", single == null ? null : round(single.percentileMillis(99)));
            result.put("kafka_ceiling_events_per_s", ceiling == null ? null : Math.round(ceiling.eventsPerSecond()));
            result.put("ratio", ceiling == null ? null : round(batchEvents / ceiling.eventsPerSecond()));
            result.put("cores", Runtime.getRuntime().availableProcessors());
            result.put("batch_cpu_ms_per_1k_events", batchCpu.perThousand(batchEventCount));
            result.put("single_cpu_ms_per_1k_req", single == null ? null : singleCpu.perThousand(single.okRequests()));
            result.put("batch_cpu_busy_pct", batchCpu.busyPercent());
            result.put("single_cpu_busy_pct", single == null ? null : singleCpu.busyPercent());
            result.put("ceiling_cpu_ms_per_1k_events",
                    ceiling == null ? null : ceilingCpu.perThousand(ceiling.acknowledged()));
            result.put("ceiling_cpu_busy_pct", ceiling == null ? null : ceilingCpu.busyPercent());
            result.put("non_202_answers", (batch.requests() - batch.okRequests())
                    + (steady == null ? 0 : steady.requests() - steady.okRequests())
                    + (single == null ? 0 : single.requests() - single.okRequests()));
            result.put("batch_size", options.batchSize);
            result.put("batch_connections", options.batchConnections);
            result.put("batch_pipelining", options.batchPipelining);
            result.put("single_connections", options.singleConnections);
            result.put("phase_seconds", options.durationSeconds);
            result.put("warmup_seconds", options.warmupSeconds);
            result.put("steady_warmup_seconds", options.steadyWarmupSeconds);
            result.put("linger_ms", options.lingerMs);
            result.put("compression", compression);
            result.put("note", "Kafka broker, ingest-service and load generator share the same "
                    + Runtime.getRuntime().availableProcessors() + " cores over loopback");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        return result;
    }

    /** The stack uses fixed ports; another stack (a demo, another benchmark) would make this one hang or lie. */
    private static void requireFreePorts() {
        List<Integer> ports = new java.util.ArrayList<>(List.of(Ports.kafka(), Ports.mongo(), Ports.stripe()));
        Ports.SERVICES.keySet().forEach(name -> ports.add(Ports.service(name)));
        for (int port : ports) {
            try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
                socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("port " + port + " is in use: another Meterline stack is running; "
                        + "stop it (or wait for it) and run the benchmark again");
            }
        }
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * CPU used by service, broker and load generator during a measuring window: where the cores went. Also the
     * whole machine's busy share from {@code /proc/stat}, which includes anything else running.
     */
    private static final class CpuWindow {
        private final ProcessCpu service;
        private final ProcessCpu broker;
        private final ProcessCpu generator = ProcessCpu.self();
        private long[] startMillis;
        private long[] usedMillis;
        private long[] machineStart;
        private long[] machineUsed;

        CpuWindow(Path home, Stack stack) {
            this.service = ProcessCpu.find("quarkus.http.port=" + Ports.service("ingest"),
                    home.resolve("ingest-service").toString());
            this.broker = ProcessCpu.find("DevStackMain", stack.stateDir().toString());
        }

        void start() {
            startMillis = sample();
            machineStart = machine();
        }

        void end() {
            long[] now = sample();
            long[] machineNow = machine();
            usedMillis = new long[now.length];
            for (int i = 0; i < now.length; i++) {
                usedMillis[i] = now[i] - startMillis[i];
            }
            machineUsed = new long[] {machineNow[0] - machineStart[0], machineNow[1] - machineStart[1]};
        }

        /**
         * CPU ms per 1000 units of work of service, broker (with the idle Mongo-wire server and Stripe stand-in) and
         * the bench JVM, without their JIT compiler threads; {@code *_jit} is what those threads used meanwhile.
         */
        Map<String, Object> perThousand(long units) {
            Map<String, Object> out = new LinkedHashMap<>();
            String[] names = {"service", "broker", "bench_jvm"};
            for (int i = 0; i < names.length; i++) {
                boolean known = usedMillis != null && units > 0 && usedMillis[i] >= 0 && usedMillis[i + 3] >= 0;
                out.put(names[i], known ? round((usedMillis[i] - usedMillis[i + 3]) * 1000.0 / units) : null);
                out.put(names[i] + "_jit", known ? round(usedMillis[i + 3] * 1000.0 / units) : null);
            }
            return out;
        }

        /** The service's CPU, JIT compiler threads included, in µs per unit of work. */
        Object serviceMicrosPer(long units) {
            return usedMillis == null || units <= 0 || usedMillis[0] < 0 ? null
                    : round(usedMillis[0] * 1000.0 / units);
        }

        /** Share of all cores busy during the window (any process). */
        Object busyPercent() {
            return machineUsed == null || machineUsed[1] == 0 ? null
                    : round(100.0 * machineUsed[0] / machineUsed[1]);
        }

        private long[] sample() {
            return new long[] {millis(service), millis(broker), millis(generator), jit(service), jit(broker),
                    jit(generator)};
        }

        private static long jit(ProcessCpu process) {
            return process == null ? -1 : process.jitMillis().orElse(-1);
        }

        private static long millis(ProcessCpu process) {
            return process == null ? -1 : process.cpuMillis().orElse(-1);
        }

        /** {busy, total} jiffies of all cores. */
        private static long[] machine() {
            try {
                String[] f = java.nio.file.Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length; i++) {
                    total += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                return new long[] {total - idle, total};
            } catch (java.io.IOException | RuntimeException e) {
                return new long[] {0, 0};
            }
        }
    }

    private static String describe(HttpLoad.Result result) {
        return Math.round(result.okPerSecond()) + " req/s, p50 " + round(result.percentileMillis(50)) + " ms, p99 "
                + round(result.percentileMillis(99)) + " ms, statuses " + result.statuses() + ", failures "
                + result.failures();
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private static void progress(String message) {
        System.err.println("[bench ingest] " + message);
    }

    private record Options(int durationSeconds, int warmupSeconds, int batchSize, int batchConnections,
            int batchPipelining, int singleConnections, int ceilingSeconds, int lingerMs, int compression,
            int steadyWarmupSeconds) {

        static Options parse(List<String> args) {
            Map<String, Integer> values = new HashMap<>(Map.of("--duration", 20, "--warmup", 15,
                    "--batch-size", 1000, "--batch-connections", 8, "--batch-pipelining", 1,
                    "--single-connections", 96, "--ceiling-seconds", 10, "--linger-ms", 5, "--compression", 1,
                    "--steady-warmup", 60));
            for (int i = 0; i < args.size(); i++) {
                String name = args.get(i);
                if (!values.containsKey(name) || i + 1 >= args.size()) {
                    throw new IllegalArgumentException("unknown or incomplete option " + name + "; known: "
                            + values.keySet());
                }
                values.put(name, Integer.parseInt(args.get(++i)));
            }
            return new Options(values.get("--duration"), values.get("--warmup"), values.get("--batch-size"),
                    values.get("--batch-connections"), values.get("--batch-pipelining"),
                    values.get("--single-connections"), values.get("--ceiling-seconds"), values.get("--linger-ms"),
                    values.get("--compression"), values.get("--steady-warmup"));
        }
    }
}
