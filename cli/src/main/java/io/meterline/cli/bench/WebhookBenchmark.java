package io.meterline.cli.bench;

import static io.meterline.cli.bench.BenchArgs.intOption;
import static io.meterline.cli.bench.BenchArgs.option;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import io.meterline.cli.Benchmark;
import io.meterline.cli.Ports;
import io.meterline.cli.Stack;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.HdrHistogram.Histogram;
import org.bson.Document;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ./meterline bench webhook}: signed Stripe deliveries to webhook-service at a fixed rate over loopback,
 * with 10% redeliveries and events of one object shuffled out of order, then a check that Mongo holds exactly
 * Stripe's latest state of every object.
 *
 * <p>Open loop: each delivery has a scheduled send time and its ack latency is measured from that time, so a
 * slow server cannot hide its queueing (no coordinated omission). Options: {@code --rate N} (1000 deliveries/s),
 * {@code --seconds S} (30), {@code --warmup S} (20: a separate phase at the same rate before the measured one, waited
 * out until answered and processed; in the correctness checks, not in the latency, rate or CPU figures),
 * {@code --objects N} (1000 subscriptions and customers), {@code --duplicates F} (0.10),
 * {@code --workers N} (webhook.processing.workers of the service; its default when absent),
 * {@code --sweep R1,R2,…} and {@code --sweep-seconds S} (10): see {@link #sweep}.
 */
public final class WebhookBenchmark implements Benchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] STATUSES = {"incomplete", "trialing", "active", "past_due", "active", "paused", "active"};

    /** One distinct Stripe event of the workload. */
    private record Event(String id, String objectId, boolean subscription, int version, long created, String body) {
    }

    @Override
    public Map<String, Object> run(Path home, List<String> args) throws Exception {
        int rate = intOption(args, "--rate", 1000);
        int seconds = intOption(args, "--seconds", 30);
        int warmup = intOption(args, "--warmup", 20);
        int objects = intOption(args, "--objects", 1000);
        double duplicateShare = Double.parseDouble(option(args, "--duplicates", "0.10"));
        int deliveriesTotal = rate * (seconds + warmup);
        int warmupDeliveries = rate * warmup;
        double loadAvgStart = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);

        try (Stack stack = Stack.startInfrastructure(home, List.of("--fresh"))) {
            String secret = stack.webhookSecret();
            progress("starting webhook-service");
            Map<String, String> config = new LinkedHashMap<>(Map.of("webhook.signing-secrets", secret, "quarkus.log.level", "WARN"));
            String workers = option(args, "--workers", null);
            if (workers != null) {
                config.put("webhook.processing.workers", workers);
            }
            stack.startService("webhook", config);

            progress("building " + deliveriesTotal + " deliveries");
            Workload workload = Workload.build(deliveriesTotal, objects, duplicateShare, new Random(42));
            progress(String.format("%d distinct events over %d objects, %d redeliveries, %d delivered out of order",
                    workload.events.size(), objects, workload.redeliveries, workload.outOfOrder));

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            int port = Ports.service("webhook");
            try (Sender sender = new Sender()) {
                return run(args, stack, workload, http, port, secret, sender, rate, seconds, warmup, objects, duplicateShare,
                        warmupDeliveries, loadAvgStart);
            }
        }
    }

    private Map<String, Object> run(List<String> args, Stack stack, Workload workload, HttpClient http, int port,
                                    String secret, Sender sender, int rate, int seconds, int warmup, int objects,
                                    double duplicateShare, int warmupDeliveries, double loadAvgStart) throws Exception {
        {
            Probe probe = new Probe(http, stack.webhookUrl());
            long errors = 0;
            long answeredDuplicate = 0;
            long storedByBench = 0;
            Set<String> acked = new HashSet<>();
            if (warmupDeliveries > 0) {
                // the service starts cold (interpreted code, JIT compiling on the same two cores): the same open-loop
                // load for --warmup seconds, then until it is all answered and processed; out of the latency and
                // rate figures, in every correctness check
                progress("warm-up: " + warmup + " s at " + rate + "/s");
                Sent warm = send(sender, port, secret, workload.schedule.subList(0, warmupDeliveries), rate, Integer.MAX_VALUE, probe);
                errors += warm.errors;
                answeredDuplicate += warm.answeredDuplicate;
                storedByBench += warm.stored;
                acked.addAll(warm.acked);
                probe.awaitProcessed(storedByBench, TimeUnit.SECONDS.toNanos(120));
            }
            Map<String, Double> serviceBefore = probe.counters();
            long stackCpuBefore = devStackCpuNanos();
            progress("sending for " + seconds + " s at " + rate + "/s (measured)");
            List<Event> measuredPart = workload.schedule.subList(warmupDeliveries, workload.schedule.size());
            // the load generator's own young collections pause the event loop that times every delivery: start the
            // measured phase with an empty young generation (./meterline bench gives this JVM a large one)
            System.gc();
            GcPauses gcBefore = GcPauses.take(http, stack.webhookUrl());
            Sent sent = send(sender, port, secret, measuredPart, rate, 0, probe);
            Map<String, Object> gcPauses = gcBefore.since(GcPauses.take(http, stack.webhookUrl()), "webhook");
            errors += sent.errors;
            answeredDuplicate += sent.answeredDuplicate;
            storedByBench += sent.stored;
            acked.addAll(sent.acked);

            progress("waiting until every stored event is processed");
            long caughtUp = sent.caughtUp(probe, TimeUnit.SECONDS.toNanos(180));
            Map<String, Object> result = new LinkedHashMap<>();
            try (MongoClient mongo = MongoClients.create(stack.mongoConnectionString())) {
                var db = mongo.getDatabase("meterline");
                MongoCollection<Document> events = db.getCollection("stripe_webhook_events");
                long processed = events.countDocuments(Filters.eq("status", "processed"));
                Set<String> stored = new HashSet<>();
                events.find().projection(Projections.include("_id")).forEach(d -> stored.add(d.getString("_id")));
                long lost = acked.stream().filter(id -> !stored.contains(id)).count();
                long dead = events.countDocuments(Filters.eq("status", "dead"));
                long reprocessed = events.countDocuments(Filters.gt("attempts", 1));
                boolean exact = checkState(db.getCollection("stripe_subscriptions"), db.getCollection("stripe_customers"),
                        workload, result);
                long processedMetric = probe.processed();
                Map<String, Double> serviceAfter = probe.counters();
                long stackCpuAfter = devStackCpuNanos();

                result.put("rate", rate);
                result.put("seconds", seconds);
                result.put("warmup_s", warmup);
                result.put("deliveries", measuredPart.size());
                sent.putRates(result);
                result.put("ack_p50_ms", ms(sent.latency.getValueAtPercentile(50)));
                result.put("ack_p99_ms", ms(sent.latency.getValueAtPercentile(99)));
                result.put("ack_max_ms", ms(sent.latency.getMaxValue()));
                result.put("send_lag_ms", ms(sent.sendLagNanos));
                result.put("dispatch_lag_p99_ms", ms(sent.dispatchLag.getValueAtPercentile(99)));
                result.put("ack_slots_over_50ms", sent.slotsOver50ms);
                result.put("gc_pauses", gcPauses); // during the measured sending (load generator, service)
                result.put("errors", errors);
                result.put("distinct_events", workload.events.size());
                result.put("redeliveries", workload.redeliveries);
                result.put("answered_duplicate", answeredDuplicate);
                result.put("out_of_order", workload.outOfOrder);
                result.put("processed", processed);
                result.put("drain_after_send_s", round(Math.max(0, caughtUp - sent.sendEnd) / 1e9));
                result.put("dead", dead);
                result.put("processed_exact", exact && processed >= acked.size() && dead == 0);
                result.put("lost", lost);
                // an event applied more than once would count twice in processed_total (or need a second attempt)
                result.put("duplicates_applied", Math.max(0, processedMetric - stored.size()) + reprocessed);
                // the machine is shared: work per delivery is the figure to compare across runs, not throughput;
                // measured from the end of the warm-up (JIT compilation excluded) until the backlog was processed
                double deliveries = measuredPart.size();
                double serviceCpuNs = serviceAfter.get("cpu_ns") - serviceBefore.get("cpu_ns");
                double commands = serviceAfter.get("mongo_commands") - serviceBefore.get("mongo_commands");
                result.put("service_cpu_ms_per_delivery", Math.round(serviceCpuNs / deliveries / 1e3) / 1e3);
                // the dev stack's process holds the Mongo-wire server (and Kafka, idle here, and the Stripe stand-in)
                result.put("devstack_cpu_ms_per_delivery", Math.round((stackCpuAfter - stackCpuBefore) / deliveries / 1e3) / 1e3);
                result.put("mongo_commands_per_delivery", Math.round(commands / deliveries * 1000) / 1000.0);
                double processedEvents = Math.max(1, serviceAfter.get("processed") - serviceBefore.get("processed"));
                result.put("mongo_commands_per_processed_event", Math.round(commands / processedEvents * 1000) / 1000.0);
                result.put("service_cpu_ms_per_processed_event", Math.round(serviceCpuNs / processedEvents / 1e3) / 1e3);
                // deliveries that reached the intake (the service's counter, the Stripe stand-in's own included) against
                // those sent: tells a delivery that never got an answer (never_answered) lost before or after the intake
                result.put("sent", (long) workload.schedule.size());
                result.put("received_by_service", Math.round(serviceAfter.get("received")));
                // responses the service's HTTP layer completed for the endpoint (Micrometer), every status
                result.put("answered_by_service", Math.round(serviceAfter.get("answered")));
                result.put("load_avg_start", loadAvgStart);
                result.put("cores", Runtime.getRuntime().availableProcessors());

                String sweep = option(args, "--sweep", null);
                if (sweep != null) {
                    sweep(sweep, intOption(args, "--sweep-seconds", 10), sender, port, secret, objects, duplicateShare,
                            (p99Of(result) <= 50 && errors == 0) ? rate : 0, probe, storedByBench, result);
                }
            }
            return result;
        }
    }

    private static double p99Of(Map<String, Object> result) {
        return (Double) result.get("ack_p99_ms");
    }

    /**
     * {@code --sweep 1500,2000,3000}: after the main run, the same (warm) service is offered each rate in turn for
     * {@code --sweep-seconds} after a 1 s lead-in (not in the latency figures), each step once the previous step's
     * backlog is processed, up to the first step whose ack p99 exceeds 50 ms or that has errors.
     * {@code max_rate_p99_le_50ms} is the highest rate (the main run's included) that kept ack p99 within 50 ms
     * without errors. A step's rates are over its whole sending window, lead-in included.
     */
    private static void sweep(String rates, int seconds, Sender sender, int port, String secret, int objects, double duplicateShare,
                              int best, Probe probe, long storedBefore, Map<String, Object> result) throws Exception {
        List<Map<String, Object>> steps = new ArrayList<>();
        long stored = storedBefore;
        for (String item : rates.split(",")) {
            int rate = Integer.parseInt(item.trim());
            Workload workload = Workload.build(rate * (seconds + 1), objects, duplicateShare, new Random(rate));
            progress("sweep: " + rate + "/s for " + seconds + " s");
            Sent sent = send(sender, port, secret, workload.schedule, rate, rate, probe);
            stored += sent.stored;
            long caughtUp = sent.caughtUp(probe, TimeUnit.SECONDS.toNanos(120));
            Map<String, Object> step = new LinkedHashMap<>();
            double p99 = ms(sent.latency.getValueAtPercentile(99));
            step.put("rate", rate);
            sent.putRates(step);
            step.put("ack_p50_ms", ms(sent.latency.getValueAtPercentile(50)));
            step.put("ack_p99_ms", p99);
            step.put("errors", sent.errors);
            step.put("drain_after_send_s", round(Math.max(0, caughtUp - sent.sendEnd) / 1e9));
            steps.add(step);
            if (p99 > 50 || sent.errors > 0) {
                break;
            }
            best = Math.max(best, rate);
        }
        result.put("sweep", steps);
        result.put("max_rate_p99_le_50ms", best);
    }

    /**
     * What one open-loop sending phase saw. Its window is from the first scheduled send to the moment the last
     * delivery was sent: {@code answeredInWindow} and {@code processedInWindow} (events the service marked processed,
     * by its counter) are counted over that window, so neither rate includes time spent waiting afterwards.
     * {@code storedAtSendEnd} are deliveries answered as newly stored by then.
     */
    private record Sent(Set<String> acked, Histogram latency, Histogram dispatchLag, int slotsOver50ms, long errors, long answeredDuplicate, long stored,
                        long start, long sendEnd, long sendLagNanos, long answeredInWindow, long unansweredAtSendEnd,
                        long processedInWindow, long storedAtSendEnd, long processedAtSendEnd, long neverAnswered,
                        long caughtUp) {

        /** When processing had caught up with this phase (nanoTime): while waiting for answers, or by polling now. */
        long caughtUp(Probe probe, long timeoutNanos) throws Exception {
            return caughtUp != 0 && neverAnswered > 0 ? caughtUp : probe.awaitProcessed(probe.storedByBench, timeoutNanos);
        }

        double windowSeconds() {
            return Math.max(1, sendEnd - start) / 1e9;
        }

        /** acks_per_s, processed_per_s and the backlogs at the end of sending. */
        void putRates(Map<String, Object> into) {
            into.put("acks_per_s", round(answeredInWindow / windowSeconds()));
            into.put("processed_per_s", round(processedInWindow / windowSeconds()));
            // deliveries sent but not answered yet (intake keeps up when ≈ the rate × the ack p50)
            into.put("unanswered_at_send_end", unansweredAtSendEnd);
            // events stored (answered) but not processed yet, over every phase so far (processing keeps up when ≈ 0;
            // the few events the Stripe stand-in sends on its own make it slightly negative)
            into.put("backlog_at_send_end", storedAtSendEnd - processedAtSendEnd);
            // deliveries without any answer (no status, no client timeout) 60 s after sending ended: not in errors
            into.put("never_answered", neverAnswered);
        }
    }

    /**
     * Sends {@code schedule} open loop at {@code rate}/s over a bounded keep-alive pool (a slow server makes requests
     * wait, and that wait is measured, never makes the client open thousands of sockets); latency is measured from
     * each delivery's scheduled time, for the deliveries from index {@code latencyFrom} on. Returns once every
     * delivery is answered (or 60 s after sending ended).
     */
    private static Sent send(Sender sender, int port, String secret, List<Event> schedule, int rate, int latencyFrom,
                             Probe probe) throws Exception {
        io.vertx.core.http.HttpClient client = sender.client;
        io.vertx.core.Context loop = sender.loop;
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        // unmeasured answers go through the same recording code into histograms of their own: otherwise that code
        // first runs (interpreted, then compiled) in the measured phase's first second
        Histogram unmeasured = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        // how late the event loop issued each measured request after its scheduled time (the generator's own delay)
        Histogram dispatchLag = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Histogram unmeasuredLag = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        // the slowest measured answer per 100 ms of schedule, with its dispatch lag: when the tail happened
        int perSlot = Math.max(1, rate / 10);
        long[] slowest = new long[schedule.size() / perSlot + 1];
        long[] slowestLag = new long[slowest.length];
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicLong errors = new AtomicLong();
        AtomicLong answeredDuplicate = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        AtomicLong stored = new AtomicLong();
        CountDownLatch done = new CountDownLatch(schedule.size());
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        long processedBefore = probe.processed();
        long storedBefore = probe.storedByBench;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        for (int i = 0; i < schedule.size(); i++) {
            Event event = schedule.get(i);
            long intended = start + i * intervalNanos;
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(Math.min(wait, 200_000));
            }
            boolean measured = i >= latencyFrom;
            MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                    .add("Content-Type", "application/json; charset=utf-8")
                    .add("Stripe-Signature", sign(secret, event.body));
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
                    .setPort(port).setURI("/webhooks/stripe").setHeaders(headers).setTimeout(30_000);
            // created on the client's event loop, not on this thread: from here, a few answers in tens of thousands
            // never reached their request (no response, no timeout) although the service had answered every delivery
            int index = i;
            loop.runOnContext(v -> {
                long lag = System.nanoTime() - intended;
                client.request(options)
                    .compose(request -> request.send(Buffer.buffer(event.body)))
                    .compose(response -> response.body().map(body -> response.statusCode() == 200 ? body.toString() : null))
                    .onComplete(answer -> {
                        try {
                            long took = System.nanoTime() - intended;
                            if (answer.succeeded() && answer.result() != null) {
                                acked.add(event.id);
                                answered.incrementAndGet();
                                if (answer.result().contains("\"duplicate\":true")) {
                                    answeredDuplicate.incrementAndGet();
                                } else {
                                    stored.incrementAndGet();
                                }
                            } else {
                                errors.incrementAndGet();
                            }
                            // answers arrive on the one event loop: no other thread touches these
                            (measured ? latency : unmeasured).recordValue(Math.min(took, latency.getHighestTrackableValue()));
                            (measured ? dispatchLag : unmeasuredLag).recordValue(Math.min(Math.max(0, lag), latency.getHighestTrackableValue()));
                            int slot = index / perSlot;
                            if (measured && took > slowest[slot]) {
                                slowest[slot] = took;
                                slowestLag[slot] = lag;
                            }
                        } finally {
                            done.countDown();
                        }
                    });
            });
        }
        long sendEnd = System.nanoTime();
        long answeredInWindow = answered.get();
        long unanswered = done.getCount();
        long storedAtSendEnd = storedBefore + stored.get();
        long processedAtSendEnd = probe.processed();
        // wait for the answers, noting when processing had caught up with every delivery answered as stored so far
        // (an answer arriving later resets it): the drain time does not include waiting for answers that never come
        long caughtUp = 0;
        long waitEnd = sendEnd + TimeUnit.SECONDS.toNanos(60);
        while (!done.await(100, TimeUnit.MILLISECONDS) && System.nanoTime() < waitEnd) {
            boolean level = probe.processed() >= storedBefore + stored.get();
            caughtUp = level ? (caughtUp == 0 ? System.nanoTime() : caughtUp) : 0;
        }
        if (done.getCount() > 0) {
            progress(done.getCount() + " deliveries still unanswered 60 s after sending ended");
        }
        StringBuilder tail = new StringBuilder();
        int slotsOver50ms = 0;
        long wallStart = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        for (int slot = latencyFrom / perSlot; slot < slowest.length; slot++) {
            if (slowest[slot] > TimeUnit.MILLISECONDS.toNanos(50)) {
                slotsOver50ms++;
                tail.append(String.format(" %tT.%<tL:%.0fms(sent+%.1f)", wallStart + slot * 100L, slowest[slot] / 1e6,
                        slowestLag[slot] / 1e6));
            }
        }
        if (latencyFrom < schedule.size()) {
            progress("100 ms slots whose slowest ack took over 50 ms (UTC, by schedule): " + slotsOver50ms + tail);
        }
        probe.storedByBench = storedBefore + stored.get();
        long lag = Math.max(0, sendEnd - (start + (schedule.size() - 1) * intervalNanos));
        return new Sent(acked, latency, dispatchLag, slotsOver50ms, errors.get(), answeredDuplicate.get(), stored.get(), start, sendEnd, lag,
                answeredInWindow, unanswered, processedAtSendEnd - processedBefore, storedAtSendEnd, processedAtSendEnd,
                done.getCount(), caughtUp);
    }

    /**
     * One client for every phase (warm-up, measured, sweep steps), as a sender that keeps delivering would have: its
     * keep-alive connections are open and its code is compiled before the measured phase starts. A new client per
     * phase opened its connections inside the measured phase's first second.
     */
    private static final class Sender implements AutoCloseable {
        private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        private final io.vertx.core.http.HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true).setTcpNoDelay(true).setPipelining(false).setConnectTimeout(5000).setIdleTimeout(0),
                new PoolOptions().setHttp1MaxSize(64));
        private final io.vertx.core.Context loop = vertx.getOrCreateContext();

        @Override
        public void close() {
            client.close();
            vertx.close();
        }
    }

    /** The service's counters, from its Prometheus endpoint (no Mongo query: a count scans the collection there). */
    private static final class Probe {
        private final HttpClient http;
        private final String baseUrl;
        /** Deliveries answered as newly stored, over every phase so far. */
        long storedByBench;

        Probe(HttpClient http, String baseUrl) {
            this.http = http;
            this.baseUrl = baseUrl;
        }

        /** Sum of webhook_events_processed_total over its outcomes. */
        long processed() throws Exception {
            return Math.round(counters().get("processed"));
        }

        /** Polls until at least {@code events} are processed or the timeout passed; returns when (nanoTime). */
        long awaitProcessed(long events, long timeoutNanos) throws Exception {
            long deadline = System.nanoTime() + timeoutNanos;
            while (processed() < events && System.nanoTime() < deadline) {
                Thread.sleep(100); // a metrics scrape, cheap for the service: poll often
            }
            return System.nanoTime();
        }

        /** CPU time (ns), Mongo commands sent and events processed so far. */
        Map<String, Double> counters() throws Exception {
            String body = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double cpu = 0;
            double commands = 0;
            double processed = 0;
            double received = 0;
            double answered = 0;
            for (String line : body.split("\n")) {
                if (line.startsWith("process_cpu_time_ns_total")) {
                    cpu = valueOf(line);
                } else if (line.startsWith("webhook_mongo_commands_total{")) {
                    commands += valueOf(line);
                } else if (line.startsWith("webhook_events_processed_total{")) {
                    processed += valueOf(line);
                } else if (line.startsWith("webhook_events_received_total")) {
                    received = valueOf(line);
                } else if (line.startsWith("http_server_requests_seconds_count{") && line.contains("uri=\"/webhooks/stripe\"")) {
                    answered += valueOf(line);
                }
            }
            return Map.of("cpu_ns", cpu, "mongo_commands", commands, "processed", processed, "received", received,
                    "answered", answered);
        }

        private static double valueOf(String line) {
            return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
    }

    /** Final Mongo state equals the state of each object's newest event. */
    private static boolean checkState(MongoCollection<Document> subscriptions, MongoCollection<Document> customers,
                                      Workload workload, Map<String, Object> result) {
        Map<String, Document> subs = new HashMap<>();
        subscriptions.find().forEach(d -> subs.put(d.getString("_id"), d));
        Map<String, Document> custs = new HashMap<>();
        customers.find().forEach(d -> custs.put(d.getString("_id"), d));
        long wrong = 0;
        List<String> samples = new ArrayList<>();
        for (Event latest : workload.latest.values()) {
            Document doc = (latest.subscription ? subs : custs).get(latest.objectId);
            boolean ok = doc != null && latest.id.equals(doc.getString("lastEventId"))
                    && ((Number) doc.get("lastEventCreated")).longValue() == latest.created;
            if (ok && latest.subscription) {
                ok = STATUSES[latest.version % STATUSES.length].equals(doc.getString("status"))
                        && ((Number) doc.get("currentPeriodEnd")).longValue() == latest.created + 1000;
            } else if (ok) {
                ok = ("v" + latest.version + "@example.com").equals(doc.getString("email"));
            }
            if (!ok) {
                wrong++;
                if (samples.size() < 3) {
                    samples.add(latest.objectId + " expected " + latest.id + " found " + (doc == null ? "nothing" : doc.getString("lastEventId")));
                }
            }
        }
        result.put("objects_wrong", wrong);
        if (!samples.isEmpty()) {
            result.put("wrong_samples", samples);
        }
        return wrong == 0;
    }

    /** CPU time used so far by the dev-stack process (a child of this one), 0 when the OS does not say. */
    private static long devStackCpuNanos() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains("io.meterline.devstack.DevStackMain")).orElse(false))
                .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
                .sum();
    }

    /** Distinct events per object in version order, delivered slightly shuffled, with redeliveries mixed in. */
    private static final class Workload {
        final List<Event> events = new ArrayList<>();
        final List<Event> schedule = new ArrayList<>();
        final Map<String, Event> latest = new HashMap<>();
        int redeliveries;
        int outOfOrder;

        static Workload build(int deliveries, int objects, double duplicateShare, Random random) {
            Workload w = new Workload();
            int distinct = (int) Math.round(deliveries * (1 - duplicateShare));
            long base = Instant.now().getEpochSecond() - 86_400;
            String run = Long.toString(System.currentTimeMillis(), 36);
            int[] versions = new int[objects];
            // sort key: a global sequence with jitter, so that neighbouring versions of one object sometimes swap
            List<double[]> keys = new ArrayList<>();
            for (int i = 0; i < distinct; i++) {
                int object = random.nextInt(objects);
                int version = versions[object]++;
                boolean subscription = object % 5 != 0; // four subscriptions for every customer
                String objectId = (subscription ? "sub_bench_" : "cus_bench_") + run + "_" + object;
                // one version per second of the object's history: `created` orders them without ties
                long created = base + version;
                String id = "evt_bench_" + run + "_" + i;
                String body = subscription
                        ? subscriptionEvent(id, objectId, "cus_bench_" + run + "_" + (object / 5 * 5), version, created)
                        : customerEvent(id, objectId, version, created);
                Event event = new Event(id, objectId, subscription, version, created, body);
                w.events.add(event);
                w.latest.merge(objectId, event, (a, b) -> a.version >= b.version ? a : b);
                keys.add(new double[]{i + random.nextDouble() * objects * 3, i});
            }
            keys.sort((a, b) -> Double.compare(a[0], b[0]));
            Map<String, Integer> lastSent = new HashMap<>();
            for (double[] key : keys) {
                Event event = w.events.get((int) key[1]);
                Integer previous = lastSent.put(event.objectId, event.version);
                if (previous != null && previous > event.version) {
                    w.outOfOrder++;
                }
                w.schedule.add(event);
            }
            // redeliveries: a copy of an event already scheduled, sent again a little later
            int copies = deliveries - distinct;
            for (int i = 0; i < copies; i++) {
                int at = 1 + random.nextInt(w.schedule.size() - 1);
                Event original = w.schedule.get(Math.max(0, at - 1 - random.nextInt(Math.min(at, 2000))));
                w.schedule.add(at, original);
                w.redeliveries++;
            }
            return w;
        }

        private static String subscriptionEvent(String id, String subscriptionId, String customerId, int version, long created) {
            ObjectNode sub = JSON.createObjectNode();
            sub.put("id", subscriptionId).put("object", "subscription").put("customer", customerId)
                    .put("status", STATUSES[version % STATUSES.length]).put("cancel_at_period_end", false)
                    .putNull("cancel_at").putNull("canceled_at").put("created", created - version)
                    .put("currency", "usd").put("livemode", false).set("metadata", JSON.createObjectNode());
            ObjectNode items = sub.putObject("items").put("object", "list").put("has_more", false);
            ArrayNode data = items.putArray("data");
            ObjectNode item = data.addObject().put("id", "si_" + subscriptionId.substring(4)).put("object", "subscription_item")
                    .put("quantity", 1).put("subscription", subscriptionId)
                    .put("current_period_start", created).put("current_period_end", created + 1000);
            ObjectNode price = item.putObject("price").put("id", "price_bench_licensed").put("object", "price")
                    .put("currency", "usd").put("unit_amount", 2000).put("type", "recurring");
            price.putObject("recurring").put("interval", "month").put("interval_count", 1).putNull("meter")
                    .put("usage_type", "licensed");
            price.set("metadata", JSON.createObjectNode());
            return envelope(id, version == 0 ? "customer.subscription.created" : "customer.subscription.updated", created, sub);
        }

        private static String customerEvent(String id, String customerId, int version, long created) {
            ObjectNode customer = JSON.createObjectNode();
            customer.put("id", customerId).put("object", "customer").put("email", "v" + version + "@example.com")
                    .put("created", created - version).put("delinquent", false).put("livemode", false)
                    .putObject("metadata").put("meterline_subject", customerId.replace("cus_", "subject_"));
            return envelope(id, version == 0 ? "customer.created" : "customer.updated", created, customer);
        }

        private static String envelope(String id, String type, long created, ObjectNode object) {
            ObjectNode event = JSON.createObjectNode();
            event.put("id", id).put("object", "event").put("api_version", "2025-03-31.basil").put("created", created)
                    .put("livemode", false).put("pending_webhooks", 1).put("type", type);
            event.putObject("data").set("object", object);
            event.putObject("request").putNull("id").putNull("idempotency_key");
            return event.toString();
        }
    }

    private static String sign(String secret, String body) {
        long timestamp = Instant.now().getEpochSecond();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(
                    mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static void progress(String message) {
        System.err.println("[bench webhook] " + message);
    }
}
