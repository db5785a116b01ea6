package io.meterline.billing.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterline.billing.config.BillingConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads and replays through webhook-service's admin API ({@code /admin/webhook-events}). */
@ApplicationScoped
public class HttpWebhookEvents implements WebhookEvents {

    private final BillingConfig config;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public HttpWebhookEvents(BillingConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
    }

    @Override
    public boolean configured() {
        return config.ops().webhookUrl().isPresent();
    }

    @Override
    public List<Event> troubled(String token) {
        List<Event> events = new ArrayList<>();
        for (String status : List.of("dead", "pending")) {
            JsonNode page = send(token, HttpRequest.newBuilder(uri("/admin/webhook-events?status=" + status + "&limit=50")).GET());
            for (JsonNode item : page.path("items")) {
                if (status.equals("dead") || item.path("attempts").asInt() > 0) {
                    events.add(new Event(item.path("id").asText(), item.path("type").asText(), item.path("status").asText(),
                            item.path("attempts").asInt(), item.path("lastError").asText(null),
                            item.hasNonNull("nextAttemptAt") ? Instant.parse(item.path("nextAttemptAt").asText()) : null));
                }
            }
        }
        return events;
    }

    @Override
    public void replay(String token, String id) {
        send(token, HttpRequest.newBuilder(uri("/admin/webhook-events/" + URLEncoder.encode(id, StandardCharsets.UTF_8)
                + "/replay")).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private URI uri(String path) {
        return URI.create(config.ops().webhookUrl().orElseThrow() + path);
    }

    private JsonNode send(String token, HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException("webhook-service answered " + response.statusCode());
            }
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("webhook-service unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
