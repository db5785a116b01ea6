package io.meterline.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.stripe.net.Webhook;
import com.sun.net.httpserver.HttpServer;
import io.meterline.devstack.stripe.StripeStandIn;
import io.meterline.devstack.testing.StripeStandInResource;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.MeterErrorReportDocument;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * What webhook-service does with Stripe's meter error reports, for billing's tests (which run without it): receives
 * the signed thin event from the stand-in, verifies it, fetches the full event ({@code GET /v2/core/events/{id}})
 * and stores the report with the identifiers it names in the shared collection billing reads. webhook-service's
 * own handling is tested in its module ({@code StripeWebhookIT}).
 */
final class ErrorReportRelay implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final StripeStandIn standIn;
    private final String endpoint;
    private final HttpClient http = HttpClient.newHttpClient();

    ErrorReportRelay(StripeStandIn standIn, MongoDatabase db) {
        this.standIn = standIn;
        String secret = "whsec_" + UUID.randomUUID().toString().replace("-", "");
        var reports = db.getCollection(BillingCollections.METER_ERROR_REPORTS, MeterErrorReportDocument.class);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/webhooks/stripe", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = 200;
            try {
                Webhook.Signature.verifyHeader(body, exchange.getRequestHeaders().getFirst("Stripe-Signature"), secret, 300);
                JsonNode thin = JSON.readTree(body);
                if (thin.path("type").asText().startsWith("v1.billing.meter.")) {
                    reports.replaceOne(Filters.eq("_id", thin.get("id").asText()), report(thin),
                            new ReplaceOptions().upsert(true));
                }
            } catch (Exception e) {
                status = 400;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        endpoint = standIn.addWebhookEndpoint("http://127.0.0.1:" + server.getAddress().getPort() + "/webhooks/stripe", secret);
    }

    private MeterErrorReportDocument report(JsonNode thin) throws IOException, InterruptedException {
        String id = thin.get("id").asText();
        JsonNode full = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(standIn.apiBase() + "/v2/core/events/" + id))
                .header("Authorization", "Bearer " + StripeStandInResource.API_KEY).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        MeterErrorReportDocument report = new MeterErrorReportDocument();
        report.id = id;
        report.meterId = thin.path("related_object").path("id").asText(null);
        report.summary = full.at("/data/developer_message_summary").asText();
        report.errorCount = full.at("/data/reason/error_count").asLong();
        for (JsonNode type : full.at("/data/reason/error_types")) {
            for (JsonNode sample : type.get("sample_errors")) {
                report.identifiers.add(sample.at("/request/identifier").asText());
            }
        }
        report.receivedAt = System.currentTimeMillis();
        return report;
    }

    @Override
    public void close() {
        standIn.removeWebhookEndpoint(endpoint);
        server.stop(0);
    }
}
