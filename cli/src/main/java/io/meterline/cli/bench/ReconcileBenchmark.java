package io.meterline.cli.bench;

import static io.meterline.cli.bench.BenchArgs.intOption;
import static io.meterline.cli.bench.ReportBenchmark.METERS;
import static io.meterline.cli.bench.ReportBenchmark.round;
import static io.meterline.cli.bench.BenchHttp.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.stripe.StripeClient;
import com.stripe.model.billing.Meter;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.billing.MeterCreateParams;
import io.meterline.cli.Benchmark;
import io.meterline.cli.Stack;
import io.meterline.model.report.MeterEventIdentifier;
import io.meterline.model.usage.UsageWindowDocument;

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
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * {@code ./meterline bench reconcile}: 1,000 customers × 3 meters × 24 hours = 72,000 windows reported to the Stripe
 * stand-in, then 1 % of them made to differ at the stand-in through its control plane (half lose the meter event
 * Stripe had accepted, half get foreign units added), then one reconciliation run: it must find exactly those
 * windows ({@code found == made_to_differ}, {@code false_positives == 0}), correct the under-reported ones, and a
 * second run must send nothing more ({@code corrected_once}). Windows are written to MongoDB in aggregation's shape
 * (this measures reconciliation, not aggregation). Options: {@code --customers N} (1000), {@code --hours N} (24),
 * {@code --percent N} (1).
 */
public final class ReconcileBenchmark implements Benchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Map<String, Object> run(Path home, List<String> args) throws Exception {
        String loadAverage = Files.readString(Path.of("/proc/loadavg")).trim();
        int customers = intOption(args, "--customers", 1000);
        int hours = intOption(args, "--hours", 24);
        int percent = intOption(args, "--percent", 1);
        Instant firstHour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(hours + 1L));

        try (Stack stack = Stack.startInfrastructure(home, List.of("--fresh"))) {
            progress("starting billing-service (no rate limit, no schedules)");
            stack.startService("billing", Map.of("billing.stripe.rate-limit", "0", "billing.reporting.cron", "off",
                    "billing.reconciliation.cron", "off", "billing.reporting.batch-size", "1000",
                    "quarkus.log.level", "WARN", "quarkus.log.category.\"io.meterline\".level", "INFO",
                    "kafka-streams.state.dir", stack.stateDir().resolve("streams-" + System.nanoTime()).toString()));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String token = stack.operatorToken();
            StripeClient stripe = StripeClient.builder().setApiKey(Stack.STANDIN_API_KEY).setApiBase(stack.stripeApiBase())
                    .build();

            progress("Stripe account: 3 meters (count, sum, gauge), " + customers + " customers with subscriptions");
            Map<String, String> eventNames = new LinkedHashMap<>();
            List<String> prices = new ArrayList<>();
            List<String> meterIds = new ArrayList<>();
            for (String[] m : METERS) {
                String eventName = m[0].replace('-', '_');
                Meter meter = stripe.v1().billing().meters().create(MeterCreateParams.builder().setDisplayName(m[0])
                        .setEventName(eventName).setDefaultAggregation(MeterCreateParams.DefaultAggregation.builder()
                                .setFormula(MeterCreateParams.DefaultAggregation.Formula.valueOf(m[4].toUpperCase())).build())
                        .build());
                meterIds.add(meter.getId());
                String price = stripe.v1().prices().create(PriceCreateParams.builder().setCurrency("usd").setUnitAmount(1L)
                        .setProductData(PriceCreateParams.ProductData.builder().setName(m[0]).build())
                        .setRecurring(PriceCreateParams.Recurring.builder().setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                                .setUsageType(PriceCreateParams.Recurring.UsageType.METERED).setMeter(meter.getId()).build())
                        .build()).getId();
                prices.add(price);
                eventNames.put(m[0], eventName);
                ObjectNode body = JSON.createObjectNode().put("eventType", m[1]).put("aggregation", m[2])
                        .put("stripeEventName", eventName).put("stripePriceId", price);
                if (m[3] != null) {
                    body.put("valuePath", m[3]);
                }
                send(http, "PUT", stack.billingUrl() + "/v1/meters/" + m[0], token, body, 200);
            }
            Map<String, String> eventNameByMeterId = new LinkedHashMap<>();
            for (int m = 0; m < meterIds.size(); m++) {
                eventNameByMeterId.put(meterIds.get(m), new ArrayList<>(eventNames.values()).get(m));
            }
            String[] customerIds = BenchCustomers.create(stack.mongoConnectionString(), stripe, customers, prices,
                    eventNameByMeterId);

            int windows = customers * METERS.length * hours;
            progress("writing " + windows + " hourly windows and reporting them");
            ReportBenchmark.Workload workload = ReportBenchmark.produce(null, customers, hours, windows * 2, firstHour);
            try (MongoClient mongo = MongoClients.create(stack.mongoConnectionString())) {
                ReportBenchmark.writeWindows(mongo.getDatabase("meterline").getCollection(UsageWindowDocument.COLLECTION),
                        workload);
            }
            JsonNode report = send(http, "POST", stack.billingUrl() + "/admin/report-runs", token, null, 201);
            progress("report: reported=" + report.get("reported") + " failed=" + report.get("failed"));

            // 1 % of the windows with a whole-number total: half lose their meter event, half get 5 foreign units
            // (gauge windows always lose theirs)
            List<String> candidates = new ArrayList<>();
            workload.windows().forEach((id, value) -> {
                if (Math.floor(value) >= 1) {
                    candidates.add(id);
                }
            });
            Collections.sort(candidates);
            Collections.shuffle(candidates, new Random(7));
            int made = windows * percent / 100;
            Set<String> differing = new HashSet<>();
            List<String> lose = new ArrayList<>();
            for (int i = 0; i < made; i++) {
                String[] id = candidates.get(i).split("\\|");
                int customer = Integer.parseInt(id[1].substring(id[1].lastIndexOf('-') + 1));
                long hour = Long.parseLong(id[3]);
                differing.add(customerIds[customer] + "|" + id[0] + "|" + hour);
                // a gauge's Stripe total is its latest event: foreign units would not read as an excess
                if (i % 2 == 0 || id[0].equals("bench-storage")) {
                    lose.add(MeterEventIdentifier.of(customerIds[customer], id[1], id[0], hour, 0, 0));
                } else {
                    control(http, stack, "inject", JSON.createObjectNode().put("event_name", eventNames.get(id[0]))
                            .put("customer", customerIds[customer]).put("value", 5).put("timestamp", hour + 1800));
                }
            }
            JsonNode dropped = control(http, stack, "drop", JSON.createObjectNode().set("identifiers", JSON.valueToTree(lose)));
            progress("made " + made + " windows differ (" + dropped.get("dropped") + " meter events lost, "
                    + (made - lose.size()) + " totals raised)");

            long eventsBefore = meterEventCount(http, stack);
            Map<String, Object> body = Map.of("from", firstHour.toString(), "to", Instant.now().toString());
            long t0 = System.nanoTime();
            JsonNode first = send(http, "POST", stack.billingUrl() + "/admin/reconciliations", token, JSON.valueToTree(body), 201);
            double wall = (System.nanoTime() - t0) / 1e9;
            double runSeconds = Duration.between(Instant.parse(first.get("started").asText()),
                    Instant.parse(first.get("finished").asText())).toMillis() / 1000.0;
            long correctionsSent = meterEventCount(http, stack) - eventsBefore;
            JsonNode counts = first.get("counts");
            long compared = 0;
            for (JsonNode n : counts) {
                compared += n.asLong();
            }
            long found = counts.path("under_reported").asLong() + counts.path("over_reported").asLong();
            long falsePositives = 0;
            long foundInMade = 0;
            for (int page = 0; ; page++) {
                JsonNode run = send(http, "GET", stack.billingUrl() + "/admin/reconciliations/" + first.get("id").asText()
                        + "?size=1000&page=" + page, token, null, 200);
                for (JsonNode w : run.get("windows")) {
                    String key = w.get("customerId").asText() + "|" + w.get("meter").asText() + "|"
                            + Instant.parse(w.get("windowStart").asText()).getEpochSecond();
                    if (differing.contains(key)) {
                        foundInMade++;
                    } else {
                        falsePositives++;
                    }
                }
                if (run.get("windows").size() < 1000) {
                    break;
                }
            }
            progress(String.format("run 1: %s in %.1f s, corrected %d", counts, runSeconds, first.get("corrected").asLong()));

            long beforeSecond = meterEventCount(http, stack);
            JsonNode second = send(http, "POST", stack.billingUrl() + "/admin/reconciliations", token, JSON.valueToTree(body), 201);
            long secondSent = meterEventCount(http, stack) - beforeSecond;
            progress("run 2: " + second.get("counts") + ", corrected " + second.get("corrected"));

            Map<String, Object> result = new LinkedHashMap<>();
            result.put("windows", compared);
            result.put("customers", customers);
            result.put("meters", METERS.length);
            result.put("hours", hours);
            result.put("made_to_differ", made);
            result.put("found", found);
            result.put("found_in_made", foundInMade);
            result.put("false_positives", falsePositives);
            result.put("under_reported", counts.path("under_reported").asLong());
            result.put("over_reported", counts.path("over_reported").asLong());
            result.put("corrected", first.get("corrected").asLong());
            result.put("corrected_once", correctionsSent == lose.size() && secondSent == 0
                    && second.get("counts").path("under_reported").asLong() == 0
                    && second.get("counts").path("match").asLong() == compared - (made - lose.size()));
            result.put("windows_per_s", round(compared / runSeconds));
            result.put("run_s", round(runSeconds));
            result.put("run_wall_s", round(wall));
            result.put("stripe_calls", first.get("stripeCalls").asLong());
            result.put("summary_lists", first.get("summaryLists").asLong());
            result.put("correction_calls", correctionsSent);
            result.put("second_run_counts", second.get("counts"));
            result.put("load_avg_start", loadAverage);
            result.put("cores", Runtime.getRuntime().availableProcessors());
            return result;
        }
    }

    private static JsonNode control(HttpClient http, Stack stack, String action, ObjectNode body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.stripeApiBase()
                        + "/_standin/meter_events/" + action)).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static long meterEventCount(HttpClient http, Stack stack) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.stripeApiBase() + "/_standin/stats"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).path("meterEvents").asLong();
    }

    private static void progress(String message) {
        System.err.println("[bench reconcile] " + message);
    }
}
