package io.meterline.billing.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterline.billing.config.BillingConfig;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Billing's own readiness from its health reporter; ingest's and webhook's from their /q/health/ready. */
@ApplicationScoped
public class HealthPipelineStatus implements PipelineStatus {

    private static final String UNKNOWN = "unknown";

    private final SmallRyeHealthReporter health;
    private final BillingConfig config;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public HealthPipelineStatus(SmallRyeHealthReporter health, BillingConfig config, ObjectMapper json) {
        this.health = health;
        this.config = config;
        this.json = json;
    }

    @Override
    public List<Service> services() {
        List<Service> out = new ArrayList<>();
        out.add(remote("ingest-service", config.ops().ingestUrl()));
        var own = health.getReadiness();
        out.add(new Service("billing-service", !own.isDown(), ownVersion(own.getPayload()), checks(own.getPayload())));
        out.add(remote("webhook-service", config.ops().webhookUrl()));
        return out;
    }

    private Service remote(String name, Optional<String> url) {
        if (url.isEmpty()) {
            return new Service(name, false, UNKNOWN, "not configured (billing.ops." + name.replace("-service", "") + "-url)");
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url.get() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = json.readTree(response.body());
            StringBuilder detail = new StringBuilder();
            String version = UNKNOWN;
            for (JsonNode check : body.path("checks")) {
                if (VersionCheck.NAME.equals(check.path("name").asText())) {
                    version = check.path("data").path(VersionCheck.NAME).asText(UNKNOWN);
                    continue;
                }
                detail.append(detail.isEmpty() ? "" : ", ").append(check.path("name").asText()).append(' ')
                        .append(check.path("status").asText());
            }
            return new Service(name, response.statusCode() == 200, version, detail.toString());
        } catch (Exception e) {
            return new Service(name, false, UNKNOWN, "unreachable: " + e.getClass().getSimpleName());
        }
    }

    private static String ownVersion(JsonObject payload) {
        return payload.getJsonArray("checks").stream().map(JsonValue::asJsonObject)
                .filter(check -> VersionCheck.NAME.equals(check.getString("name")))
                .map(check -> check.getJsonObject("data").getString(VersionCheck.NAME, UNKNOWN)).findFirst().orElse(UNKNOWN);
    }

    private static String checks(JsonObject payload) {
        StringBuilder detail = new StringBuilder();
        payload.getJsonArray("checks").forEach(value -> {
            JsonObject check = value.asJsonObject();
            if (VersionCheck.NAME.equals(check.getString("name"))) {
                return;
            }
            detail.append(detail.isEmpty() ? "" : ", ").append(check.getString("name")).append(' ')
                    .append(check.getString("status"));
        });
        return detail.toString();
    }
}
