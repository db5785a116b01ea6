package io.meterline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpServer;
import io.meterline.model.period.WebhookSignature;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The closed-periods part of the demo: usage in two past hours (three and two hours ago: the main workload's events,
 * up to two minutes old, can fall in the previous hour, never in these), the catch-up closing them (the local stack's grace is
 * one minute), the signed notifications arriving at a small receiver started here that checks each signature, an
 * open period refused, and a late event making a revision.
 */
final class PeriodsDemo implements AutoCloseable {

    private static final String CUSTOMER = "initech";

    /**
     * Billing configuration for the demo's periods: initech's billing time zone is one where it is about noon now, so
     * the day of the demo's hours (three and two hours ago) is still open whenever the demo runs. In UTC, between 00:01
     * and 03:01 the day of those hours has already closed, and the late event would revise the day as well.
     */
    static Map<String, String> billingConfig(Instant now) {
        int offsetHours = Math.max(-12, Math.min(14, 12 - now.atOffset(ZoneOffset.UTC).getHour()));
        return Map.of("billing.periods.customer-zones." + CUSTOMER, ZoneOffset.ofHours(offsetHours).getId());
    }

    private final Demo demo;
    private final Stack stack;
    private final HttpServer server;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private volatile String secret;

    PeriodsDemo(Demo demo, Stack stack) throws Exception {
        this.demo = demo;
        this.stack = stack;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/meterline-hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String signature = exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER);
            boolean valid = secret != null
                    && WebhookSignature.verify(secret, signature, body, Instant.now().getEpochSecond(), 300);
            exchange.sendResponseHeaders(valid ? 200 : 400, -1);
            exchange.close();
            JsonNode record = Demo.JSON.readTree(body);
            lines.add(String.format("   receiver ← %-15s %-7s %-5s %s  value %5s  events %d  rev %d%s  signature %s",
                    record.path("type").asText(), record.path("customer").asText(), record.path("size").asText(),
                    record.path("start").asText(), number(record.path("value").asDouble()),
                    record.path("eventCount").asLong(), record.path("revision").asInt(),
                    record.path("previousValue").isNumber() ? " (was " + number(record.path("previousValue").asDouble()) + ")" : "",
                    valid ? "verified (t=" + signature.substring(2, signature.indexOf(',')) + ")" : "INVALID"));
        });
        server.start();
    }

    void run() throws Exception {
        String admin = stack.operatorToken();
        Demo.step("17", "Closed periods: a period is final once its end plus the grace (1 minute on the local stack)"
                + " has passed; billing publishes it to topic 'usage-periods' and to signed webhooks");
        JsonNode endpoint = demo.post(stack.billingUrl() + "/admin/webhook-endpoints", admin, Demo.JSON.createObjectNode()
                .put("url", "http://127.0.0.1:" + server.getAddress().getPort() + "/meterline-hook"));
        secret = endpoint.path("secret").asText();
        System.out.printf("   webhook endpoint %s → a receiver started by the demo (secret %s…, HMAC-SHA256 checked)%n",
                endpoint.path("id").asText(), secret.substring(0, 10));

        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
        String producer = stack.jwt().token("demo-producer", Set.of("usage:write"), List.of(), Duration.ofHours(1));
        ArrayNode batch = Demo.JSON.createArrayNode();
        int[][] calls = {{0, 5}, {0, 7}, {1, 9}};
        for (int i = 0; i < calls.length; i++) {
            batch.add(Demo.event("period-call-" + i, "call.minutes", CUSTOMER,
                    hour.plus(Duration.ofHours(calls[i][0])).plusSeconds(60L * (i + 1)), Map.of("minutes", calls[i][1])));
        }
        demo.result.answer("17 initech's past calls", demo.post(stack.ingestUrl() + "/v1/events", producer, batch));
        System.out.printf("   initech's calls three and two hours ago: 5 + 7 minutes in the %s hour, 9 in the next%n",
                hour.toString().substring(11, 16));
        awaitWindow(hour, 12);
        awaitWindow(hour.plus(Duration.ofHours(1)), 9);

        JsonNode run = demo.post(stack.billingUrl() + "/admin/periods/catch-up", admin, Demo.JSON.createObjectNode());
        System.out.printf("   catch-up run (every 5 minutes; here triggered): closed %d periods%n", run.path("closed").asInt());
        demo.result.value("17 closed", run.path("closed").asInt());
        demo.result.value("17 notifications", drain(Duration.ofSeconds(20), 2));
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        JsonNode open = demo.post(stack.billingUrl() + "/admin/periods/close", admin, Demo.JSON.createObjectNode()
                .put("meter", "call-minutes").put("size", "day").put("from", today.toString())
                .put("to", today.plus(Duration.ofDays(1)).toString()));
        for (JsonNode skipped : open.path("skipped")) {
            System.out.printf("   POST /admin/periods/close for today: %s, completes at %s — nothing sent%n",
                    skipped.path("reason").asText(), skipped.path("completesAt").asText());
        }

        Demo.step("18", "A late event lands in the closed hour: the closed total stays, a revision is published");
        demo.post(stack.ingestUrl() + "/v1/events", producer, Demo.event("period-call-late", "call.minutes", CUSTOMER,
                hour.plusSeconds(1800), Map.of("minutes", 3)));
        awaitWindow(hour, 15);
        run = demo.post(stack.billingUrl() + "/admin/periods/catch-up", admin, Demo.JSON.createObjectNode());
        System.out.printf("   catch-up run: closed %d, revised %d%n", run.path("closed").asInt(), run.path("revised").asInt());
        demo.result.value("18 revised", run.path("revised").asInt());
        demo.result.value("18 notifications", drain(Duration.ofSeconds(20), 1));
        JsonNode periods = demo.get(stack.billingUrl() + "/v1/periods?meter=call-minutes&customer=initech&size=hour&from="
                + hour + "&to=" + hour.plus(Duration.ofHours(2)), admin);
        System.out.println("   GET /v1/periods (every revision, the original stays):");
        demo.result.value("18 revisions", periods.path("periods").size());
        for (JsonNode period : periods.path("periods")) {
            System.out.printf("     %s  revision %d  value %5s%s%n", period.path("start").asText(),
                    period.path("revision").asInt(), number(period.path("value").asDouble()),
                    period.path("latest").asBoolean() ? "  (latest)" : "");
        }
    }

    /**
     * Waits until the stored window (what closing reads, shown by {@code /v1/usage/explain}) has the value. Not
     * {@code /v1/usage}: that answers from the aggregation as soon as it counted the event, a moment before the
     * window is stored.
     */
    private void awaitWindow(Instant hour, double value) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            JsonNode explained = demo.get(stack.billingUrl() + "/v1/usage/explain?meter=call-minutes&customer=initech&hour="
                    + hour, stack.operatorToken());
            if (explained.path("total").asDouble() == value) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the " + hour + " window never reached " + value);
    }

    /**
     * Prints what the receiver got: at least {@code expected} notifications, then whatever follows within a second;
     * returns how many were printed.
     */
    private int drain(Duration timeout, int expected) throws InterruptedException {
        int printed = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(printed >= expected ? 1000 : 250, TimeUnit.MILLISECONDS);
            if (line == null) {
                if (printed >= expected) {
                    return printed;
                }
                continue;
            }
            System.out.println(line);
            printed++;
        }
        return printed;
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.format("%.2f", value);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
