package io.meterline.devstack.provider;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * A tiny usage provider (think: a telephony platform) for tests and the demo. It records calls, sends a webhook per
 * call through a hook, and can be told to "lose" a share of those webhooks. Like a real provider it lists what it
 * recorded: {@code GET /v1/calls?from=…&to=…&limit=…&cursor=…} with {@code Authorization: Bearer <token>}, pages of
 * up to 1,000 records ({@code {"data": [...], "next_cursor": "…" | null}}), oldest first.
 *
 * <p>Its records are not usage events: {@code {"call_id", "account": {"id"}, "kind", "started_at", "billable_seconds"}},
 * so the consumer needs a field mapping. Plain JDK HTTP server and Jackson.
 */
public final class UsageProviderStandIn implements AutoCloseable {

    public static final int MAX_PAGE = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String token;
    /** Records by (started_at millis, call_id), so pages come out in time order and a cursor is a position. */
    private final ConcurrentSkipListMap<String, ObjectNode> records = new ConcurrentSkipListMap<>();

    /** What one {@link #makeCalls} did. */
    public record Calls(int made, int delivered, List<String> lostIds) {
    }

    private UsageProviderStandIn(int port) {
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        this.token = "prov_" + HexFormat.of().formatHex(secret);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the usage provider stand-in on port " + port, e);
        }
        server.createContext("/v1/calls", this::list);
        server.start();
    }

    public static UsageProviderStandIn start(int port) {
        return new UsageProviderStandIn(port);
    }

    /** The records endpoint, e.g. {@code http://127.0.0.1:12345/v1/calls}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/calls";
    }

    /** The bearer token its API wants (generated at start). */
    public String token() {
        return token;
    }

    /**
     * Records {@code count} calls of {@code kind} spread over {@code accounts} and one hour from {@code hour}, and
     * sends the webhook of each to {@code webhook} except for exactly {@code round(count * lostShare)} of them, chosen
     * by {@code seed}. Ids are {@code prefix-<n>}.
     */
    public Calls makeCalls(String prefix, String kind, List<String> accounts, Instant hour, int count, double lostShare,
            long seed, Consumer<ObjectNode> webhook) {
        Random random = new Random(seed);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        int lost = (int) Math.round(count * lostShare);
        java.util.Set<Integer> lostIndexes = new java.util.HashSet<>(order.subList(0, lost));
        List<String> lostIds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ObjectNode call = JSON.createObjectNode();
            String id = prefix + "-" + i;
            call.put("call_id", id);
            call.putObject("account").put("id", accounts.get(i % accounts.size()));
            call.put("kind", kind);
            Instant started = hour.plusMillis((long) i * 3_600_000L / Math.max(1, count));
            call.put("started_at", started.toString());
            call.put("billable_seconds", 1 + random.nextInt(600));
            records.put(key(started) + "|" + id, call);
            if (lostIndexes.contains(i)) {
                lostIds.add(id);
            } else {
                webhook.accept(call.deepCopy());
            }
        }
        return new Calls(count, count - lost, lostIds);
    }

    /**
     * billing-service configuration for this provider as usage source {@code name} (pull, its url and token, and
     * the field mapping of its call records), with {@code eventSource} as the {@code source} of its events.
     */
    public Map<String, String> billingSourceConfig(String name, String eventSource, int pageSize) {
        String prefix = "billing.sources." + name + ".";
        Map<String, String> config = new java.util.LinkedHashMap<>();
        config.put(prefix + "url", url());
        config.put(prefix + "token", token);
        config.put(prefix + "page-size", String.valueOf(pageSize));
        config.put(prefix + "event-source", eventSource);
        config.put(prefix + "id-path", "call_id");
        config.put(prefix + "subject-path", "account.id");
        config.put(prefix + "type-path", "kind");
        config.put(prefix + "time-path", "started_at");
        config.put(prefix + "value-path", "billable_seconds");
        config.put(prefix + "value-field", "seconds");
        return config;
    }

    /** The usage event the provider's webhook for {@code call} becomes (source {@code eventSource}). */
    public static ObjectNode webhookEvent(ObjectNode call, String eventSource) {
        ObjectNode event = JSON.createObjectNode();
        event.put("id", call.get("call_id").asText()).put("source", eventSource).put("type", call.get("kind").asText())
                .put("subject", call.get("account").get("id").asText()).put("time", call.get("started_at").asText());
        event.putObject("data").put("seconds", call.get("billable_seconds").asLong());
        return event;
    }

    /** The webhook body a call would have been delivered as (for tests that deliver it late themselves). */
    public List<ObjectNode> recorded() {
        return records.values().stream().map(ObjectNode::deepCopy).toList();
    }

    private void list(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (!("Bearer " + token).equals(authorization)) {
                send(exchange, 401, JSON.createObjectNode().put("error", "invalid or missing bearer token"));
                return;
            }
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            Instant from;
            Instant to;
            int limit;
            try {
                from = Instant.parse(query.getOrDefault("from", "1970-01-01T00:00:00Z"));
                to = Instant.parse(query.getOrDefault("to", "9999-01-01T00:00:00Z"));
                limit = Math.min(MAX_PAGE, Math.max(1, Integer.parseInt(query.getOrDefault("limit", "100"))));
            } catch (DateTimeParseException | NumberFormatException e) {
                send(exchange, 400, JSON.createObjectNode().put("error", e.getMessage()));
                return;
            }
            String cursor = query.get("cursor");
            var tail = cursor == null ? records.tailMap(key(from), true) : records.tailMap(cursor, false);
            ObjectNode page = JSON.createObjectNode();
            ArrayNode data = page.putArray("data");
            String last = null;
            boolean more = false;
            for (Map.Entry<String, ObjectNode> e : tail.entrySet()) {
                if (Instant.parse(e.getValue().get("started_at").asText()).compareTo(to) >= 0) {
                    break;
                }
                if (data.size() == limit) {
                    more = true;
                    break;
                }
                data.add(e.getValue());
                last = e.getKey();
            }
            if (more) {
                page.put("next_cursor", last);
            } else {
                page.putNull("next_cursor");
            }
            send(exchange, 200, page);
        }
    }

    /** Sortable position of a time: zero-padded epoch milliseconds (ISO text does not sort with fractions). */
    private static String key(Instant time) {
        return String.format("%015d", time.toEpochMilli());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
