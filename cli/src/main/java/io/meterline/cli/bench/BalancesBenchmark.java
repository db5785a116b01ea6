package io.meterline.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.StripeClient;
import com.stripe.model.Customer;
import com.stripe.param.CustomerCreateParams;
import io.meterline.cli.Benchmark;
import io.meterline.cli.Stack;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import static io.meterline.cli.bench.BenchArgs.intOption;

/**
 * {@code ./meterline bench balances}: prepaid balances under load, through billing-service's HTTP API on the embedded
 * Mongo-wire server.
 * <ol>
 *   <li>Debits: {@code --threads} (16) closed-loop clients on {@code --customers} (100) balances for {@code --seconds}
 *       (20); 20 % of the debits are sized near the customer's remaining capacity (many are refused with 402).
 *       Afterwards every balance must equal its start minus the accepted debits, equal the sum of its history, and
 *       no movement may have taken it below {@code -debtLimit} ({@code limit_violations}).</li>
 *   <li>Entitlements: open loop at {@code --checks-rate} (5,000/s) for {@code --check-seconds} (10), after
 *   {@code --check-warmup-seconds} (10) at the same rate that are not measured, against
 *       {@code GET /v1/entitlements/{customer}}; latency measured from each request's scheduled time. The warm-up
 *       is the check traffic's own: after a phase of POSTs only, billing's compiled HTTP code meets GETs and
 *       pipelined requests for the first time (deoptimised, recompiled behind one C2 thread's queue) — seconds of
 *       a cold start a producer's steady 5,000 checks/s does not see (decision 0156).</li>
 *   <li>Auto-recharge: {@code --recharges} (5) balances with auto-recharge cross their threshold; each recharge must
 *       create one PaymentIntent at the Stripe stand-in and be credited once, after webhook-service recorded
 *       {@code payment_intent.succeeded} ({@code charges_per_recharge}).</li>
 * </ol>
 */
public final class BalancesBenchmark implements Benchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long START_BALANCE = DebitLoad.START_BALANCE;
    private static final long DEBT_LIMIT = DebitLoad.DEBT_LIMIT;

    @Override
    public Map<String, Object> run(Path home, List<String> args) throws Exception {
        int threads = intOption(args, "--threads", 16);
        int customers = intOption(args, "--customers", 100);
        int seconds = intOption(args, "--seconds", 20);
        int checksRate = intOption(args, "--checks-rate", 5000);
        int checkSeconds = intOption(args, "--check-seconds", 10);
        int checkWarmupSeconds = intOption(args, "--check-warmup-seconds", 10);
        int recharges = intOption(args, "--recharges", 5);
        String loadAvg = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
        Map<String, Object> result = new LinkedHashMap<>();
        try (Stack stack = Stack.startInfrastructure(home, List.of("--fresh"))) {
            progress("starting billing-service and webhook-service");
            stack.startService("billing", Map.of("quarkus.log.level", "WARN", "billing.reporting.cron", "off"));
            stack.startService("webhook", Map.of("webhook.signing-secrets", stack.webhookSecret(), "quarkus.log.level", "WARN"));
            String token = stack.operatorToken();
            String billing = stack.billingUrl();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String run = Long.toString(System.currentTimeMillis(), 36);

            progress("creating " + customers + " balances of " + START_BALANCE + " (debt limit " + DEBT_LIMIT + ")");
            List<String> names = new ArrayList<>();
            for (int i = 0; i < customers; i++) {
                String name = "bench-" + run + "-" + i;
                names.add(name);
                send(http, "PUT", billing + "/v1/balances/" + name, token,
                        Map.of("debtLimit", DEBT_LIMIT, "rechargeThreshold", -DEBT_LIMIT - 1));
                send(http, "POST", billing + "/v1/balances/" + name + "/credits", token,
                        Map.of("amount", START_BALANCE, "idempotencyKey", "start", "reason", "bench"));
            }

            // ---------------------------------------------------------------- debits
            // one HTTP/1.1 keep-alive connection per closed-loop client, all on one NIO selector thread (java.net.http's
            // client spoke h2c to billing; Vert.x' client cost 0.3 ms of CPU per debit on the cores billing shares)
            progress("debits: " + threads + " closed-loop clients for " + seconds + " s");
            Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
            int port = URI.create(billing).getPort();
            DebitLoad debits = new DebitLoad(port, "Bearer " + token, names, seconds);
            Map<String, Double> writesBefore = writeCounters(http, billing);
            Cpu debitCpu = Cpu.start(stack);
            DebitLoad.Totals totals = debits.run(threads);
            debitCpu = debitCpu.stop(stack);
            Map<String, Double> writesAfter = writeCounters(http, billing);
            double debitSeconds = totals.seconds();
            AtomicLongArray accepted = totals.accepted();

            progress("checking every balance against its history");
            long violations = 0;
            boolean equalsHistory = true;
            boolean equalsAccepted = true;
            for (int c = 0; c < customers; c++) {
                JsonNode history = JSON.readTree(send(http, "GET", billing + "/v1/balances/" + names.get(c) + "/transactions",
                        token, null).body());
                equalsHistory &= history.path("consistent").asBoolean();
                equalsAccepted &= history.path("balance").asLong() == START_BALANCE - accepted.get(c);
                long running = 0;
                for (JsonNode movement : history.path("transactions")) {
                    running += movement.path("delta").asLong();
                    if (running < -DEBT_LIMIT || movement.path("balance").asLong() < -DEBT_LIMIT) {
                        violations++;
                    }
                }
            }

            // ---------------------------------------------------------------- entitlements
            progress("entitlements: " + checksRate + "/s for " + checkSeconds + " s (+" + checkWarmupSeconds + " s warm-up)");
            Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            // warm-up answers go through the same recording code into a histogram of their own: otherwise the
            // recording path is first run (interpreted, then compiled) in the measured phase's first second
            Histogram warmupLatency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            AtomicLong checkErrors = new AtomicLong();
            Map<String, AtomicLong> checkErrorKinds = new java.util.concurrent.ConcurrentSkipListMap<>();
            String producerToken = stack.jwt().token("bench-producer", Set.of("usage:read"), List.of(), Duration.ofHours(1));
            // 8 keep-alive connections, up to 32 requests pipelined on each: a producer fleet's requests share
            // connections; one request per connection round trip cost both sides a read and a write system call each
            io.vertx.core.http.HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                    .setPipelining(true).setPipeliningLimit(32).setTcpNoDelay(true).setConnectTimeout(5000),
                    new PoolOptions().setHttp1MaxSize(8));
            int warmup = checksRate * checkWarmupSeconds;
            int total = checksRate * checkSeconds + warmup;
            CountDownLatch checked = new CountDownLatch(total);
            long interval = TimeUnit.SECONDS.toNanos(1) / checksRate;
            long checkStart = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + producerToken);
            // one request description per customer, built before the schedule starts (never changed afterwards)
            RequestOptions[] checkRequests = new RequestOptions[customers];
            for (int c = 0; c < customers; c++) {
                checkRequests[c] = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
                        .setURI("/v1/entitlements/" + names.get(c)).setHeaders(headers).setTimeout(30_000);
            }
            // the load generator's own young collections pause its event loop, which times every check: start the
            // phase with an empty young generation (./meterline bench gives this JVM one large enough for the phase)
            System.gc();
            GcPauses gcBefore = GcPauses.take(http, billing);
            AtomicReference<Cpu> checkCpu = new AtomicReference<>();
            // The schedule is fixed in advance (request i is due at checkStart + i·interval) and latency is measured
            // from that time, so a slow answer cannot delay the next request's clock (no coordinated omission). A
            // 1 ms timer on the client's event loop sends whatever is due: no cross-thread hand-off per request.
            int[] next = {0};
            // the slowest answer per 100 ms of schedule: when the tail happened (for lining it up with GC logs)
            // (warm-up slots too: the answer handler then runs the same code before and after the boundary, and its
            // compiled form meets no branch it never took when measurement begins; only measured slots are reported)
            int warmupSlots = checkWarmupSeconds * 10;
            AtomicLongArray slowest = new AtomicLongArray(warmupSlots + checkSeconds * 10);
            // how late the generator itself sent the slowest check of each slot (its timer, its event loop)
            AtomicLongArray slowestSendLag = new AtomicLongArray(warmupSlots + checkSeconds * 10);
            // the processes' CPU times are read when measurement begins, by a thread started before the schedule
            long measuredFrom = checkStart + warmup * interval;
            Thread cpuReader = new Thread(() -> {
                for (long wait; (wait = measuredFrom - System.nanoTime()) > 0; ) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                checkCpu.set(Cpu.start(stack));
            }, "bench-cpu");
            cpuReader.setDaemon(true);
            cpuReader.start();
            Histogram sendLag = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            Histogram warmupSendLag = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            Histogram[] latencies = {warmupLatency, latency};
            Histogram[] sendLags = {warmupSendLag, sendLag};
            long measuredFromMillis = System.currentTimeMillis()
                    + TimeUnit.NANOSECONDS.toMillis(checkStart + warmup * interval - System.nanoTime());
            vertx.setPeriodic(1, 1, timer -> {
                long now = System.nanoTime();
                while (next[0] < total && checkStart + next[0] * interval <= now) {
                    int i = next[0]++;
                    long intended = checkStart + i * interval;
                    long lag = now - intended;
                    // 0 in the warm-up, 1 once measured, without a branch that warm-up never took
                    int phase = (int) ((warmup - 1L - i) >>> 63);
                    client.request(checkRequests[i % customers]).compose(request -> request.send())
                            .compose(response -> response.body().map(body -> response.statusCode()))
                            .onComplete(answer -> {
                                if (answer.failed() || answer.result() != 200) {
                                    checkErrors.incrementAndGet();
                                    checkErrorKinds.computeIfAbsent(errorKind(answer), k -> new AtomicLong()).incrementAndGet();
                                }
                                long took = Math.min(System.nanoTime() - intended, latency.getHighestTrackableValue());
                                latencies[phase].recordValue(took);
                                sendLags[phase].recordValue(Math.min(lag, sendLag.getHighestTrackableValue()));
                                int slot = i / (checksRate / 10);
                                if (slot < slowest.length() && took > slowest.get(slot)) {
                                    slowest.set(slot, took); // one event-loop thread: no race
                                    slowestSendLag.set(slot, lag);
                                }
                                checked.countDown();
                            });
                }
                if (next[0] >= total) {
                    vertx.cancelTimer(timer);
                }
            });
            checked.await(60, TimeUnit.SECONDS);
            Map<String, Object> checkGc = gcBefore.since(GcPauses.take(http, billing), "billing");
            Cpu checksCpu = checkCpu.get() == null ? null : checkCpu.get().stop(stack);
            StringBuilder tail = new StringBuilder();
            int slowSlots = 0;
            for (int slot = warmupSlots; slot < slowest.length(); slot++) {
                if (slowest.get(slot) > TimeUnit.MILLISECONDS.toNanos(5)) {
                    slowSlots++;
                    tail.append(String.format(" %tT.%<tL:%.1fms(sent+%.1f)", measuredFromMillis + (slot - warmupSlots) * 100L,
                            slowest.get(slot) / 1e6, slowestSendLag.get(slot) / 1e6));
                }
            }
            progress("100 ms slots whose slowest check took over 5 ms (UTC, by schedule):" + tail);
            // the warm-up's too: whether a slow start of the measured phase is a queue that began before it
            StringBuilder warmupTail = new StringBuilder();
            for (int slot = 0; slot < warmupSlots; slot++) {
                if (slowest.get(slot) > TimeUnit.MILLISECONDS.toNanos(5)) {
                    warmupTail.append(String.format(" %tT.%<tL:%.1fms", measuredFromMillis + (slot - warmupSlots) * 100L,
                            slowest.get(slot) / 1e6));
                }
            }
            progress("warm-up slots over 5 ms (not measured):" + warmupTail);
            client.close();
            vertx.close();

            // ---------------------------------------------------------------- auto-recharge
            progress(recharges + " auto-recharges through the Stripe stand-in and webhook-service");
            StripeClient stripe = StripeClient.builder().setApiKey(Stack.STANDIN_API_KEY).setApiBase(stack.stripeApiBase()).build();
            long intentsBefore = paymentIntents(http, stack.stripeApiBase());
            List<String> recharged = new ArrayList<>();
            for (int i = 0; i < recharges; i++) {
                String name = "bench-" + run + "-recharge-" + i;
                Customer customer = stripe.v1().customers().create(CustomerCreateParams.builder()
                        .setInvoiceSettings(CustomerCreateParams.InvoiceSettings.builder()
                                .setDefaultPaymentMethod("pm_card_visa").build()).build());
                send(http, "PUT", billing + "/v1/balances/" + name, token, Map.of("rechargeThreshold", 0,
                        "autoRecharge", Map.of("amount", 1000, "stripeCustomer", customer.getId())));
                send(http, "POST", billing + "/v1/balances/" + name + "/debits", token,
                        Map.of("amount", 100, "idempotencyKey", "cross", "reason", "bench"));
                recharged.add(name);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            int credited = 0;
            while (System.nanoTime() < deadline) {
                credited = 0;
                for (String name : recharged) {
                    JsonNode balance = JSON.readTree(send(http, "GET", billing + "/v1/balances/" + name, token, null).body());
                    if (balance.path("balance").asLong() == 900 && "succeeded".equals(balance.path("recharge").path("status").asText())) {
                        credited++;
                    }
                }
                if (credited == recharges) {
                    break;
                }
                Thread.sleep(250);
            }
            long intents = paymentIntents(http, stack.stripeApiBase()) - intentsBefore;

            result.put("threads", threads);
            result.put("customers", customers);
            result.put("seconds", seconds);
            result.put("debits", totals.decided());
            result.put("debits_per_s", round(totals.decided() / debitSeconds));
            result.put("debits_accepted", totals.ok());
            result.put("debits_refused", totals.refused());
            result.put("errors", totals.errors());
            result.put("limit_violations", violations);
            result.put("balance_equals_history", equalsHistory);
            result.put("balance_equals_accepted", equalsAccepted);
            result.put("entitlement_rate", checksRate);
            result.put("entitlement_checks", (long) checksRate * checkSeconds);
            result.put("entitlement_warmup_s", checkWarmupSeconds);
            result.put("entitlement_p50_ms", ms(latency.getValueAtPercentile(50)));
            result.put("entitlement_p99_ms", ms(latency.getValueAtPercentile(99)));
            result.put("entitlement_max_ms", ms(latency.getMaxValue()));
            result.put("entitlement_send_lag_p99_ms", ms(sendLag.getValueAtPercentile(99)));
            result.put("entitlement_gc_pauses", checkGc); // over the check phase, warm-up included
            result.put("entitlement_errors", checkErrors.get());
            result.put("entitlement_slots_over_5ms", slowSlots);
            Map<String, Long> errorKinds = new LinkedHashMap<>();
            checkErrorKinds.forEach((kind, count) -> errorKinds.put(kind, count.get()));
            result.put("entitlement_errors_by_kind", errorKinds);
            // CPU per operation by process (ms): what the design costs, independent of how busy the machine is
            result.put("debit_cpu_ms", debitCpu.perOperation(totals.decided()));
            // MongoDB round trips of the debit phase on balances and history (billing's counters, decision 0116)
            Map<String, Object> writes = new LinkedHashMap<>();
            for (String kind : List.of("replace", "history", "read", "version")) {
                double rounds = writesAfter.getOrDefault("rounds_" + kind, 0.0) - writesBefore.getOrDefault("rounds_" + kind, 0.0);
                double documents = writesAfter.getOrDefault("writes_" + kind, 0.0) - writesBefore.getOrDefault("writes_" + kind, 0.0);
                writes.put(kind + "_round_trips_per_debit", totals.decided() == 0 ? 0 : Math.round(rounds * 1000.0 / totals.decided()) / 1000.0);
                writes.put(kind + "_documents_per_round_trip", rounds == 0 ? 0 : round(documents / rounds));
            }
            result.put("debit_mongo_round_trips", writes);
            result.put("entitlement_cpu_ms", checksCpu == null ? Map.of() : checksCpu.perOperation((long) checksRate * checkSeconds));
            result.put("recharges", recharges);
            result.put("recharges_credited_once", credited);
            result.put("charges_per_recharge", recharges == 0 ? 0 : round((double) intents / recharges));
            result.put("load_avg_start", Double.parseDouble(loadAvg));
            result.put("cores", Runtime.getRuntime().availableProcessors());
        }
        return result;
    }

    /** Why a check failed: {@code timeout} (no answer within the client's 30 s), {@code connection}, or the status. */
    private static String errorKind(io.vertx.core.AsyncResult<Integer> answer) {
        if (answer.succeeded()) {
            return "status_" + answer.result();
        }
        Throwable cause = answer.cause();
        if (cause instanceof java.util.concurrent.TimeoutException
                || cause.getClass().getSimpleName().contains("Timeout")) {
            return "timeout";
        }
        return "connection_" + cause.getClass().getSimpleName();
    }

    /** billing's balance write counters from /q/metrics: {@code rounds_<kind>} and {@code writes_<kind>}. */
    private static Map<String, Double> writeCounters(HttpClient http, String billing) throws Exception {
        Map<String, Double> counters = new LinkedHashMap<>();
        String metrics = http.send(HttpRequest.newBuilder(URI.create(billing + "/q/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher line = java.util.regex.Pattern.compile(
                "(?m)^meterline_balance_(round_trips|batched_documents)_total\\{kind=\"(\\w+)\"[^}]*} (\\S+)$").matcher(metrics);
        while (line.find()) {
            counters.put((line.group(1).equals("batched_documents") ? "writes_" : "rounds_") + line.group(2), Double.parseDouble(line.group(3)));
        }
        return counters;
    }

    private static long paymentIntents(HttpClient http, String stripeApiBase) throws Exception {
        HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create(stripeApiBase + "/_standin/stats")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(stats.body()).path("paymentIntents").asLong();
    }

    private static HttpResponse<String> send(HttpClient http, String method, String url, String token, Object body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static void progress(String message) {
        System.err.println("[bench balances] " + message);
    }
}
