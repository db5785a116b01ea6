package io.meterline.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.meterline.model.period.WebhookSignature;
import io.meterline.model.UsageEventJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A real HTTP receiver for outgoing webhooks, started by the test: verifies {@code Meterline-Signature} the way the
 * README tells receivers to, records every request, and answers what the test's policy says.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request: its event id header, the verified body (null when the signature failed) and the answer given. */
    public record Received(String eventId, JsonNode body, boolean signatureValid, int answered) {
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile String secret;
    /** Status to answer per request (given the event id); 0 = hang until {@link #release()}. */
    private volatile Function<String, Integer> policy = id -> 200;
    private volatile CountDownLatch hang = new CountDownLatch(1);

    public WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(32));
        server.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String eventId = exchange.getRequestHeaders().getFirst("Meterline-Event-Id");
            boolean valid = secret != null && WebhookSignature.verify(secret,
                    exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER), body,
                    System.currentTimeMillis() / 1000, 300);
            int status = valid ? policy.apply(eventId) : 400;
            if (status == 0) {
                received.add(new Received(eventId, null, valid, 0));
                try {
                    hang.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
                return;
            }
            received.add(new Received(eventId, valid ? UsageEventJson.parseTree(body.getBytes(StandardCharsets.UTF_8)) : null,
                    valid, status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    public void secret(String secret) {
        this.secret = secret;
    }

    public void policy(Function<String, Integer> policy) {
        this.policy = policy;
    }

    /** Lets hanging requests go (their connections are closed without an answer). */
    public void release() {
        hang.countDown();
        hang = new CountDownLatch(1);
    }

    public List<Received> received() {
        return new ArrayList<>(received);
    }

    /** Requests answered 2xx with a valid signature whose event id starts with {@code prefix}. */
    public List<Received> accepted(String prefix) {
        return received.stream().filter(r -> r.signatureValid && r.answered >= 200 && r.answered < 300
                && r.eventId != null && r.eventId.startsWith(prefix)).toList();
    }

    public List<Received> all(String prefix) {
        return received.stream().filter(r -> r.eventId != null && r.eventId.startsWith(prefix)).toList();
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
