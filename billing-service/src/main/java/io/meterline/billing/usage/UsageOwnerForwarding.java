package io.meterline.billing.usage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Asks the billing instance that runs a customer's aggregation task for its usage answer (decision 0026): only that
 * instance's windows store holds what was aggregated but not yet copied to MongoDB. The caller's token goes along, so
 * the owner checks it as for any request; the marker header stops a second hop while ownership moves. When the owner
 * cannot answer, the caller answers itself from its own data (MongoDB: correct, possibly a moment older).
 */
@ApplicationScoped
public class UsageOwnerForwarding {

    /** Marks a request one instance forwarded to another; such a request is always answered where it lands. */
    public static final String FORWARDED = "Meterline-Forwarded";
    private static final Logger LOG = Logger.getLogger(UsageOwnerForwarding.class);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final ObjectMapper json;
    private final MeterRegistry registry;

    public UsageOwnerForwarding(ObjectMapper json, MeterRegistry registry) {
        this.json = json;
        this.registry = registry;
    }

    /** The owner's answer to the same request, or empty when it gave none in time. */
    public Optional<UsageResponse> ask(String owner, URI request, String authorization) {
        String query = request.getRawQuery();
        URI target = URI.create("http://" + owner + request.getRawPath() + (query == null ? "" : "?" + query));
        HttpRequest.Builder forwarded = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(2))
                .header(FORWARDED, "1").header("Accept", "application/json").GET();
        if (authorization != null) {
            forwarded.header("Authorization", authorization);
        }
        try {
            HttpResponse<byte[]> response = http.send(forwarded.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 200) {
                count("answered");
                return Optional.of(json.readValue(response.body(), UsageResponse.class));
            }
            LOG.debugf("usage owner %s answered %d; answering here", owner, response.statusCode());
        } catch (IOException e) {
            LOG.debugf("usage owner %s unreachable (%s); answering here", owner, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        count("answered_here");
        return Optional.empty();
    }

    private void count(String outcome) {
        registry.counter("meterline_billing_usage_queries_forwarded", "outcome", outcome).increment();
    }
}
