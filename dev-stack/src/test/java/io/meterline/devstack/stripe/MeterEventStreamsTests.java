package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.TemporarySessionExpiredException;
import com.stripe.model.Customer;
import com.stripe.model.billing.Meter;
import com.stripe.model.v2.billing.MeterEventSession;
import com.stripe.net.Webhook;
import com.stripe.param.billing.MeterCreateParams;
import com.stripe.param.v2.billing.MeterEventStreamCreateParams;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** v2 meter event streams: session tokens, batches, identifiers, and errors reported later as signed thin events. */
class MeterEventStreamsTests extends StandInTestBase {

    @AfterEach
    void defaultTtl() {
        standIn.meterEventSessionTtl(Duration.ofMinutes(15));
    }

    static StripeClient stream(MeterEventSession session) {
        return StripeClient.builder().setApiKey(session.getAuthenticationToken()).setMeterEventsBase(standIn.apiBase()).build();
    }

    static MeterEventStreamCreateParams.Event event(String eventName, String customer, String value, String identifier) {
        return MeterEventStreamCreateParams.Event.builder().setEventName(eventName).setIdentifier(identifier)
                .setTimestamp(Instant.now().truncatedTo(ChronoUnit.SECONDS)).putPayload("stripe_customer_id", customer)
                .putPayload("value", value).build();
    }

    @Test
    void streamedEventsCountOncePerIdentifierInTheSameSummariesAsV1() throws Exception {
        Meter meter = meter("streamed", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer customer = customer("s@example.com");
        MeterEventSession session = stripe.v2().billing().meterEventSession().create();
        assertThat(session.getObject()).isEqualTo("v2.billing.meter_event_session");
        assertThat(session.getExpiresAt()).isAfter(Instant.now().plus(Duration.ofMinutes(14)));

        stream(session).v2().billing().meterEventStream().create(MeterEventStreamCreateParams.builder()
                .addEvent(event("streamed", customer.getId(), "5", "s-1"))
                .addEvent(event("streamed", customer.getId(), "7", "s-2"))
                .addEvent(event("streamed", customer.getId(), "5", "s-1")).build());
        // the same identifiers again (a re-send after a lost answer) change nothing
        stream(session).v2().billing().meterEventStream().create(MeterEventStreamCreateParams.builder()
                .addEvent(event("streamed", customer.getId(), "7", "s-2")).build());
        meterEvent("streamed", customer.getId(), 1, "v1-1", Instant.now().getEpochSecond());

        long total = standIn.hourlyTotals(meter.getEventName(), customer.getId()).values().stream().mapToLong(Long::longValue).sum();
        assertThat(total).isEqualTo(13);
        assertThat(standIn.meterEventCount()).isEqualTo(3);
    }

    @Test
    void aBatchOfMoreThanOneHundredEventsIsRefused() throws Exception {
        meter("big", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer customer = customer("b@example.com");
        MeterEventSession session = stripe.v2().billing().meterEventSession().create();
        List<MeterEventStreamCreateParams.Event> events = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            events.add(event("big", customer.getId(), "1", "b-" + i));
        }
        assertThatThrownBy(() -> stream(session).v2().billing().meterEventStream().create(
                MeterEventStreamCreateParams.builder().addAllEvent(events).build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.getStatusCode()).isEqualTo(400));
        stream(session).v2().billing().meterEventStream().create(
                MeterEventStreamCreateParams.builder().addAllEvent(events.subList(0, 100)).build());
        assertThat(standIn.meterEventCount()).isEqualTo(100);
    }

    @Test
    void anExpiredSessionTokenIsRefusedWithSessionExpired() throws Exception {
        meter("expiring", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer customer = customer("e@example.com");
        standIn.meterEventSessionTtl(Duration.ZERO);
        MeterEventSession session = stripe.v2().billing().meterEventSession().create();
        assertThatThrownBy(() -> stream(session).v2().billing().meterEventStream().create(
                MeterEventStreamCreateParams.builder().addEvent(event("expiring", customer.getId(), "1", "e-1")).build()))
                .isInstanceOfSatisfying(TemporarySessionExpiredException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(401);
                    assertThat(e.getCode()).isEqualTo("billing_meter_event_session_expired");
                });
        assertThatThrownBy(() -> StripeClient.builder().setApiKey("mes_tok_unknown").setMeterEventsBase(standIn.apiBase())
                .build().v2().billing().meterEventStream().create(MeterEventStreamCreateParams.builder()
                        .addEvent(event("expiring", customer.getId(), "1", "e-2")).build()))
                .hasMessageContaining("meter event session token");
        assertThat(standIn.meterEventCount()).isZero();
    }

    @Test
    void invalidEventsAreReportedLaterAsSignedThinEventsNamingTheirIdentifiers() throws Exception {
        List<String[]> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        receiver.createContext("/hooks", exchange -> {
            received.add(new String[] {new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                    exchange.getRequestHeaders().getFirst("Stripe-Signature")});
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        String secret = "whsec_" + UUID.randomUUID().toString().replace("-", "");
        String endpoint = standIn.addWebhookEndpoint("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks", secret);
        try {
            Meter meter = meter("checked", MeterCreateParams.DefaultAggregation.Formula.SUM);
            Customer customer = customer("c@example.com");
            MeterEventSession session = stripe.v2().billing().meterEventSession().create();
            stream(session).v2().billing().meterEventStream().create(MeterEventStreamCreateParams.builder()
                    .addEvent(event("checked", customer.getId(), "4", "ok-1"))
                    .addEvent(event("checked", "cus_nobody", "4", "bad-customer"))
                    .addEvent(event("checked", customer.getId(), "1.5", "bad-value"))
                    .addEvent(event("no_such_meter", customer.getId(), "4", "bad-name")).build());

            await().atMost(Duration.ofSeconds(15)).until(() -> received.stream()
                    .filter(r -> r[0].contains("\"v1.billing.meter.")).count() >= 2);
            List<JsonNode> thin = new ArrayList<>();
            for (String[] delivery : received.stream().filter(r -> r[0].contains("\"v1.billing.meter.")).toList()) {
                Webhook.Signature.verifyHeader(delivery[0], delivery[1], secret, 300);
                thin.add(json.readTree(delivery[0]));
            }
            JsonNode report = thin.stream().filter(e -> e.get("type").asText().equals("v1.billing.meter.error_report_triggered"))
                    .findFirst().orElseThrow();
            assertThat(report.get("object").asText()).isEqualTo("v2.core.event");
            assertThat(report.has("data")).as("a thin event carries no data").isFalse();
            assertThat(report.get("related_object").get("id").asText()).isEqualTo(meter.getId());
            assertThat(thin).anyMatch(e -> e.get("type").asText().equals("v1.billing.meter.no_meter_found"));

            JsonNode full = json.readTree(http.send(HttpRequest.newBuilder(URI.create(standIn.apiBase() + "/v2/core/events/"
                    + report.get("id").asText())).header("Authorization", "Bearer " + KEY).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(full.at("/data/reason/error_count").asLong()).isEqualTo(2);
            List<String> identifiers = new ArrayList<>();
            Map<String, String> codes = new java.util.HashMap<>();
            for (JsonNode type : full.at("/data/reason/error_types")) {
                for (JsonNode sample : type.get("sample_errors")) {
                    identifiers.add(sample.at("/request/identifier").asText());
                    codes.put(sample.at("/request/identifier").asText(), type.get("code").asText());
                }
            }
            assertThat(identifiers).containsExactlyInAnyOrder("bad-customer", "bad-value");
            assertThat(codes).containsEntry("bad-customer", "meter_event_customer_not_found")
                    .containsEntry("bad-value", "meter_event_invalid_value");

            // an identifier reported in error stays taken: sending it again, now valid, is ignored
            stream(session).v2().billing().meterEventStream().create(MeterEventStreamCreateParams.builder()
                    .addEvent(event("checked", customer.getId(), "4", "bad-value")).build());
            assertThat(standIn.hourlyTotals("checked", customer.getId()).values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(4);
        } finally {
            standIn.removeWebhookEndpoint(endpoint);
            receiver.stop(0);
        }
    }
}
