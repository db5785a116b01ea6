package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * A stateful local stand-in for the parts of Stripe's API that Meterline uses, so that stripe-java pointed at
 * {@link #apiBase()} cannot tell the difference: form-encoded requests, {@code Authorization: Bearer sk_…},
 * {@code Idempotency-Key} replay, Stripe's error shape and list objects, answers shaped like Stripe's own
 * fixtures. Customers, products, prices, subscriptions, subscription items, billing meters, meter events (with
 * identifier dedupe), meter event adjustments and summaries, events and webhook endpoints. Object changes are
 * recorded as events and sent, signed, to registered webhook endpoints. Faults are injected through
 * {@link #faults()}.
 *
 * <p>Plain JDK HTTP server plus Jackson: it must not depend on stripe-java, the client it imitates a server for.
 */
public final class StripeStandIn implements AutoCloseable {

    private static final Pattern API_KEY = Pattern.compile("(sk|rk)_(test|live)_[A-Za-z0-9_]+");

    static {
        // The JDK server writes headers and body separately; with Nagle on, the body waits for the client's
        // delayed ACK (~40 ms) on every keep-alive request. Read once, when the first server is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final WebhookSender webhooks = new WebhookSender();
    private final StripeState state = new StripeState(webhooks);
    private final Faults faults = new Faults();
    private final MeterEventControl meterEventControl = new MeterEventControl(state);
    private final Map<String, Idempotent> idempotency = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();

    /** A stored result for one idempotency key, replayed for retries with the same parameters. */
    private static final class Idempotent {
        final String fingerprint;
        Response response;

        Idempotent(String fingerprint) {
            this.fingerprint = fingerprint;
        }
    }

    private record Response(int status, byte[] body, Map<String, String> headers) {
    }

    /** Thrown out of the handler so that the JDK server closes the connection without an answer. */
    private static final class ConnectionAbort extends RuntimeException {
        ConnectionAbort() {
            super("injected connection reset", null, false, false);
        }
    }

    private StripeStandIn(int port) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Stripe stand-in on port " + port, e);
        }
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newFixedThreadPool(Math.max(16, Runtime.getRuntime().availableProcessors() * 8), r -> {
            Thread t = new Thread(r, "stripe-standin-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a stand-in on {@code port} (0 = a free port) of the loopback interface. */
    public static StripeStandIn start(int port) {
        return new StripeStandIn(port);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** What to give stripe-java as its API base, e.g. {@code http://127.0.0.1:12111}. */
    public String apiBase() {
        return "http://127.0.0.1:" + port();
    }

    /** Sends every event, signed with {@code secret} ({@code whsec_…}), to {@code url}. */
    public String addWebhookEndpoint(String url, String secret) {
        return state.addWebhookEndpoint(url, secret, List.of("*")).get("id").asText();
    }

    /** Stripe's {@code Stripe-Signature} header for {@code payload}, as the stand-in signs its own deliveries. */
    public static String signatureHeader(String secret, long timestamp, String payload) {
        return WebhookSender.signatureHeader(secret, timestamp, payload);
    }

    /** Stops sending events to an endpoint registered earlier. */
    public void removeWebhookEndpoint(String id) {
        webhooks.remove(id);
    }

    public Faults faults() {
        return faults;
    }

    /** Loses accepted meter events or adds foreign ones (reconciliation tests). */
    public MeterEventControl meterEventControl() {
        return meterEventControl;
    }

    /** How long meter event session tokens last (Stripe: 15 minutes); tests shorten it to see renewals. */
    public void meterEventSessionTtl(java.time.Duration ttl) {
        state.meterEventStreams().sessionTtl(ttl);
    }

    /** Ends every meter event session now, as time would (their tokens answer {@code billing_meter_event_session_expired}). */
    public void expireMeterEventSessions() {
        state.meterEventStreams().expireAll();
    }

    /** How long after a v2 stream request its invalid events are reported (a thin error report event). */
    public void meterEventErrorReportDelay(java.time.Duration delay) {
        state.meterEventStreams().errorReportDelay(delay);
    }

    /** Forgets every object, meter event, event, idempotency key, counter and pending fault; endpoints stay. */
    public void reset() {
        state.clear();
        faults.resetCounters();
        idempotency.clear();
        requests.clear();
    }

    /**
     * Forgets stored idempotent answers while keeping meter event identifiers: what Stripe looks like once its
     * 24-hour idempotency window has passed (identifiers stay unique longer), so a retry meets the identifier check.
     */
    public void forgetIdempotencyKeys() {
        idempotency.clear();
    }

    // ---------------------------------------------------------------- query helpers for tests and benchmarks

    /** One accepted meter event as the stand-in stored it. */
    public record MeterEventView(String identifier, String eventName, String customer, long value, Instant timestamp,
                                 boolean canceled) {
    }

    public long meterEventCount() {
        return state.meterEventCount();
    }

    public List<MeterEventView> meterEvents() {
        List<MeterEventView> out = new ArrayList<>();
        for (MeterEventLog.MeterEvent e : state.meterEvents()) {
            out.add(new MeterEventView(e.identifier, e.eventName, e.customer, e.value, Instant.ofEpochSecond(e.timestamp),
                    e.canceled));
        }
        return out;
    }

    /** The meter's aggregated value per UTC hour for one customer, as Stripe's hourly summaries would show it. */
    public SortedMap<Instant, Long> hourlyTotals(String eventName, String customer) {
        SortedMap<Instant, Long> out = new TreeMap<>();
        state.totals(eventName, customer, 3600).forEach((start, value) -> out.put(Instant.ofEpochSecond(start), value));
        return out;
    }

    /** Requests received (including faulted ones) whose method matches and path starts with {@code pathPrefix}. */
    public long requestCount(String method, String pathPrefix) {
        long total = 0;
        for (Map.Entry<String, LongAdder> e : requests.entrySet()) {
            int space = e.getKey().indexOf(' ');
            if ((method == null || e.getKey().substring(0, space).equals(method))
                    && e.getKey().substring(space + 1).startsWith(pathPrefix)) {
                total += e.getValue().sum();
            }
        }
        return total;
    }

    /** Every PaymentIntent created so far, oldest first. */
    public List<JsonNode> paymentIntents() {
        return state.paymentIntents().all();
    }

    /** Every webhook delivery attempt so far. */
    public List<WebhookDelivery> webhookDeliveries() {
        return webhooks.deliveries();
    }

    /** Every event recorded so far, oldest first. */
    public List<JsonNode> events() {
        return new ArrayList<>(state.eventsSnapshot());
    }

    /** A stored object by id ({@code cus_…}, {@code sub_…}, {@code price_…}, {@code mtr_…}), or null. */
    public JsonNode object(String id) {
        return state.object(id);
    }

    /**
     * Moves a subscription to a status Stripe reaches on its own (past_due, unpaid, paused…), sending
     * {@code customer.subscription.updated}; there is no API call for that.
     */
    public JsonNode setSubscriptionStatus(String subscriptionId, String status) {
        return state.setSubscriptionStatus(subscriptionId, status);
    }

    // ---------------------------------------------------------------- HTTP

    private void handle(HttpExchange exchange) throws IOException {
        String requestId = "req_" + Ids.random(14);
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        if (path.startsWith("/_standin/")) {
            standInApi(exchange, method, path, requestId);
            return;
        }
        requests.computeIfAbsent(method + " " + path, k -> new LongAdder()).increment();
        try {
            Faults.Rule fault = faults.next(path);
            boolean dropResponse = false;
            if (fault != null) {
                switch (fault.kind()) {
                    case RATE_LIMIT -> throw new StripeError(429, "invalid_request_error", "rate_limit",
                            "Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.",
                            null)
                            .header("Retry-After", String.valueOf(fault.retryAfterSeconds()))
                            .header("Stripe-Should-Retry", "true");
                    case SERVER_ERROR -> throw new StripeError(500, "api_error", null,
                            "Something went wrong on Stripe's end. (Injected by the stand-in.)", null);
                    case CONNECTION_RESET -> {
                        exchange.getRequestBody().readAllBytes();
                        throw new ConnectionAbort();
                    }
                    case ERROR -> throw new StripeError(fault.status(), fault.type(), null, fault.message(), null);
                    case SLOW -> sleep(fault.delay().toMillis());
                    case DROP_RESPONSE -> dropResponse = true;
                }
            }
            if (path.startsWith("/v2/")) {
                JsonNode answer = v2(exchange, method, path, requestId);
                if (dropResponse) {
                    throw new ConnectionAbort();
                }
                send(exchange, 200, state.mapper().writeValueAsBytes(answer), Map.of(), requestId);
                return;
            }
            String apiKey = apiKey(exchange);
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Params params = Params.parse(exchange.getRequestURI().getRawQuery(), method.equals("GET") ? null : body);
            state.apiVersion(exchange.getRequestHeaders().getFirst("Stripe-Version"));
            String idempotencyKey = method.equals("POST") ? exchange.getRequestHeaders().getFirst("Idempotency-Key") : null;
            Response response;
            boolean replayed = false;
            if (idempotencyKey != null && !idempotencyKey.isEmpty()) {
                String scope = apiKey + "\u0000" + idempotencyKey;
                String fingerprint = method + " " + path + " " + params.fingerprint();
                Idempotent entry = idempotency.computeIfAbsent(scope, k -> new Idempotent(fingerprint));
                synchronized (entry) {
                    if (!entry.fingerprint.equals(fingerprint)) {
                        throw new StripeError(400, "idempotency_error", null,
                                "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '"
                                        + idempotencyKey + "' if you meant to execute a different request.", null);
                    }
                    if (entry.response != null) {
                        response = entry.response;
                        replayed = true;
                    } else {
                        response = execute(method, path, params, requestId, idempotencyKey);
                        // like Stripe: results are saved unless the request was refused before it ran (4xx);
                        // a card decline (402) did run, and its replay must not charge again
                        if (response.status() < 400 || response.status() >= 500 || response.status() == 402) {
                            entry.response = response;
                        } else {
                            idempotency.remove(scope, entry);
                        }
                    }
                }
            } else {
                response = execute(method, path, params, requestId, null);
            }
            if (dropResponse) {
                throw new ConnectionAbort();
            }
            Map<String, String> headers = new LinkedHashMap<>(response.headers());
            if (idempotencyKey != null) {
                headers.put("Idempotency-Key", idempotencyKey);
            }
            if (replayed) {
                headers.put("Idempotent-Replayed", "true");
            }
            send(exchange, response.status(), response.body(), headers, requestId);
        } catch (StripeError e) {
            send(exchange, e.status(), e.body(requestId).toString().getBytes(StandardCharsets.UTF_8), e.headers(), requestId);
        } catch (ConnectionAbort e) {
            throw e;
        } catch (RuntimeException e) {
            StripeError error = new StripeError(500, "api_error", null, "Stand-in failure: " + e, null);
            send(exchange, 500, error.body(requestId).toString().getBytes(StandardCharsets.UTF_8), Map.of(), requestId);
        }
    }

    /**
     * Not Stripe: a few calls for processes that run the stand-in elsewhere (benchmarks, the demo).
     * {@code GET /_standin/stats} (meter events stored, requests per method and path, faults injected),
     * {@code POST /_standin/reset}.
     */
    private void standInApi(HttpExchange exchange, String method, String path, String requestId) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (path.startsWith(MeterEventControl.PATH)) {
            byte[] answer = meterEventControl.handle(method, path, body);
            send(exchange, answer == null ? 404 : 200, answer == null ? "{}".getBytes(StandardCharsets.UTF_8) : answer,
                    Map.of(), requestId);
            return;
        }
        if (method.equals("GET") && path.equals("/_standin/stats")) {
            var stats = state.mapper().createObjectNode();
            stats.put("meterEvents", meterEventCount());
            stats.put("faultsInjected", faults.injected());
            stats.put("paymentIntents", state.paymentIntents().all().size());
            var byPath = stats.putObject("requests");
            new TreeMap<>(requests).forEach((k, v) -> byPath.put(k, v.sum()));
            send(exchange, 200, state.mapper().writeValueAsBytes(stats), Map.of(), requestId);
        } else if (method.equals("POST") && path.equals("/_standin/reset")) {
            reset();
            send(exchange, 200, "{}".getBytes(StandardCharsets.UTF_8), Map.of(), requestId);
        } else {
            send(exchange, 404, "{}".getBytes(StandardCharsets.UTF_8), Map.of(), requestId);
        }
    }

    /**
     * Stripe's v2 calls Meterline makes: JSON bodies, and the meter event stream authenticated by a session token
     * rather than a secret key, so they bypass the form-encoded router ({@link MeterEventStreams}).
     */
    private JsonNode v2(HttpExchange exchange, String method, String path, String requestId) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        MeterEventStreams streams = state.meterEventStreams();
        if (method.equals("POST") && path.equals("/v2/billing/meter_event_stream")) {
            return streams.stream(exchange.getRequestHeaders().getFirst("Authorization"), body, requestId);
        }
        apiKey(exchange);
        if (method.equals("POST") && path.equals("/v2/billing/meter_event_session")) {
            return streams.createSession();
        }
        if (method.equals("GET") && path.startsWith("/v2/core/events/")) {
            return streams.retrieveEvent(path.substring("/v2/core/events/".length()));
        }
        throw new StripeError(404, "invalid_request_error", null, "Unrecognized request URL (" + method + ": " + path + ").",
                null);
    }

    private Response execute(String method, String path, Params params, String requestId, String idempotencyKey) {
        try {
            JsonNode result = state.handle(method, path, params, new StripeResource.Ctx(requestId, idempotencyKey));
            return new Response(200, state.mapper().writeValueAsBytes(result), Map.of());
        } catch (StripeError e) {
            return new Response(e.status(), e.body(requestId).toString().getBytes(StandardCharsets.UTF_8), e.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String apiKey(HttpExchange exchange) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String key = null;
        if (authorization != null && authorization.startsWith("Bearer ")) {
            key = authorization.substring(7).trim();
        } else if (authorization != null && authorization.startsWith("Basic ")) {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            key = decoded.contains(":") ? decoded.substring(0, decoded.indexOf(':')) : decoded;
        }
        if (key == null || key.isEmpty()) {
            throw new StripeError(401, "invalid_request_error", null,
                    "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
                    null);
        }
        if (!API_KEY.matcher(key).matches()) {
            String tail = key.length() > 4 ? key.substring(key.length() - 4) : key;
            throw new StripeError(401, "invalid_request_error", "api_key_invalid",
                    "Invalid API Key provided: " + key.substring(0, Math.min(8, key.length())) + "*********" + tail, null);
        }
        return key;
    }

    private void send(HttpExchange exchange, int status, byte[] body, Map<String, String> headers, String requestId)
            throws IOException {
        var out = exchange.getResponseHeaders();
        out.set("Content-Type", "application/json");
        out.set("Request-Id", requestId);
        out.set("Stripe-Version", StripeState.DEFAULT_API_VERSION);
        out.set("Cache-Control", "no-cache, no-store");
        headers.forEach(out::set);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        webhooks.close();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
