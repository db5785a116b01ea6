package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.StripeCollection;
import com.stripe.model.billing.MeterEvent;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerListParams;
import com.stripe.param.billing.MeterCreateParams;
import com.stripe.param.billing.MeterEventCreateParams;
import org.junit.jupiter.api.Test;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The HTTP layer every resource shares: API keys, idempotency, routing, list pagination, faults, stats. */
class StripeStandInTests extends StandInTestBase {

    @Test
    void sameIdempotencyKeyReplaysTheStoredAnswerAndDifferentParamsAreRefused() throws Exception {
        RequestOptions options = RequestOptions.builder().setIdempotencyKey("key-" + UUID.randomUUID()).build();
        Customer first = stripe.v1().customers().create(CustomerCreateParams.builder().setEmail("i@example.com").build(), options);
        Customer again = stripe.v1().customers().create(CustomerCreateParams.builder().setEmail("i@example.com").build(), options);
        assertThat(again.getId()).isEqualTo(first.getId());
        assertThat(again.getLastResponse().headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(stripe.v1().customers().list(CustomerListParams.builder().build()).getData()).hasSize(1);

        assertThatThrownBy(() -> stripe.v1().customers().create(
                CustomerCreateParams.builder().setEmail("other@example.com").build(), options))
                .isInstanceOf(IdempotencyException.class);
    }

    @Test
    void requestWithoutApiKeyIsAnswered401InStripesErrorShape() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(standIn.apiBase() + "/v1/customers")).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Request-Id")).hasValueSatisfying(v -> assertThat(v).startsWith("req_"));
        JsonNode error = json.readTree(response.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asText()).contains("API key");

        StripeClient badKey = StripeClient.builder().setApiKey("pk_wrong").setApiBase(standIn.apiBase()).build();
        assertThatThrownBy(() -> badKey.v1().customers().list()).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void unknownObjectAnswers404ResourceMissing() {
        assertThatThrownBy(() -> stripe.v1().customers().retrieve("cus_missing"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(404);
                    assertThat(e.getCode()).isEqualTo("resource_missing");
                    assertThat(e.getParam()).isEqualTo("id");
                });
    }

    @Test
    void listsPageWithStartingAfter() throws Exception {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(customer("p" + i + "@example.com").getId());
        }
        StripeCollection<Customer> page = stripe.v1().customers().list(CustomerListParams.builder().setLimit(2L).build());
        assertThat(page.getHasMore()).isTrue();
        assertThat(page.getData()).extracting(Customer::getId).containsExactly(created.get(4), created.get(3));
        List<String> all = new ArrayList<>();
        page.autoPagingIterable().forEach(c -> all.add(c.getId()));
        assertThat(all).containsExactlyInAnyOrderElementsOf(created);
    }

    @Test
    void rateLimitedAnswersAreRetriedByStripeJavaWithoutDuplicates() throws Exception {
        meter("limited", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer customer = customer("l@example.com");
        standIn.faults().rateLimit("/v1/billing/meter_events", 2, 0);
        MeterEvent event = meterEvent("limited", customer.getId(), 3, "rl-1", Instant.now().getEpochSecond());
        assertThat(event.getIdentifier()).isEqualTo("rl-1");
        assertThat(standIn.faults().injected()).isEqualTo(2);
        assertThat(standIn.requestCount("POST", "/v1/billing/meter_events")).isEqualTo(3);
        assertThat(standIn.meterEventCount()).isEqualTo(1);
    }

    @Test
    void rateLimitAnswerCarriesRetryAfterAndShouldRetry() throws Exception {
        standIn.faults().rateLimit(null, 1, 7);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(standIn.apiBase() + "/v1/customers"))
                .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).contains("7");
        assertThat(response.headers().firstValue("Stripe-Should-Retry")).contains("true");
        assertThat(json.readTree(response.body()).get("error").get("code").asText()).isEqualTo("rate_limit");
    }

    @Test
    void injectedErrorAnswersWithTheGivenStatusAndMessageWithoutProcessing() throws Exception {
        standIn.faults().error("/v1/customers", 1, 402, "card_error", "Your card was declined.");
        assertThatThrownBy(() -> client(0).v1().customers().create(CustomerCreateParams.builder().setName("x").build()))
                .isInstanceOfSatisfying(StripeException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(402);
                    assertThat(e.getStripeError().getMessage()).isEqualTo("Your card was declined.");
                });
        assertThat(stripe.v1().customers().list().getData()).isEmpty();
    }

    @Test
    void statsEndpointCountsRequestsAndMeterEvents() throws Exception {
        meter("stats", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer customer = customer("st@example.com");
        meterEvent("stats", customer.getId(), 1, "st-1", Instant.now().getEpochSecond());
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(standIn.apiBase() + "/_standin/stats"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode stats = json.readTree(response.body());
        assertThat(stats.get("meterEvents").asLong()).isEqualTo(1);
        assertThat(stats.get("requests").get("POST /v1/billing/meter_events").asLong()).isEqualTo(1);
        assertThat(stats.get("requests").get("POST /v1/customers").asLong()).isEqualTo(1);
    }

    @Test
    void forgottenIdempotencyKeysLeaveIdentifiersUnique() throws Exception {
        meter("forget", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer customer = customer("f@example.com");
        long now = Instant.now().getEpochSecond();
        RequestOptions options = RequestOptions.builder().setIdempotencyKey("k-" + UUID.randomUUID()).build();
        MeterEventCreateParams params = MeterEventCreateParams.builder().setEventName("forget")
                .putPayload("stripe_customer_id", customer.getId()).putPayload("value", "2").setIdentifier("fg-1")
                .setTimestamp(now).build();
        stripe.v1().billing().meterEvents().create(params, options);
        assertThat(stripe.v1().billing().meterEvents().create(params, options).getIdentifier()).isEqualTo("fg-1");
        standIn.forgetIdempotencyKeys();
        assertThatThrownBy(() -> stripe.v1().billing().meterEvents().create(params, options))
                .isInstanceOfSatisfying(InvalidRequestException.class, e ->
                        assertThat(e.getStripeError().getMessage()).startsWith("An event already exists with identifier fg-1"));
        assertThat(standIn.meterEventCount()).isEqualTo(1);
    }

    @Test
    void serverErrorsAreRetriedAndTheIdempotencyKeyPreventsDuplicates() throws Exception {
        standIn.faults().serverError("/v1/customers", 2);
        Customer customer = customer("e@example.com");
        assertThat(customer.getId()).startsWith("cus_");
        assertThat(standIn.faults().injected()).isEqualTo(2);
        assertThat(stripe.v1().customers().list().getData()).hasSize(1);
    }

    @Test
    void droppedAnswerLeavesTheEventStoredAndTheRetryIsDeduplicated() throws Exception {
        meter("dropped", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer customer = customer("x@example.com");
        long now = Instant.now().getEpochSecond();
        standIn.faults().dropResponse("/v1/billing/meter_events", 1);
        StripeClient noRetries = client(0);
        try {
            noRetries.v1().billing().meterEvents().create(MeterEventCreateParams.builder().setEventName("dropped")
                    .putPayload("stripe_customer_id", customer.getId()).putPayload("value", "4")
                    .setIdentifier("drop-1").setTimestamp(now).build());
        } catch (ApiConnectionException expected) {
            // the usual outcome; the JDK may also resend the POST by itself, then the caller sees a duplicate below
        }
        assertThatThrownBy(() -> meterEvent("dropped", customer.getId(), 4, "drop-1", now))
                .isInstanceOfSatisfying(InvalidRequestException.class, e ->
                        assertThat(e.getStripeError().getMessage()).startsWith("An event already exists with identifier drop-1"));
        assertThat(standIn.meterEventCount()).isEqualTo(1);
    }

    @Test
    void connectionResetIsAConnectionErrorAndNothingIsStored() throws Exception {
        meter("reset", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer customer = customer("c@example.com");
        standIn.faults().connectionReset("/v1/billing/meter_events", 5);
        assertThatThrownBy(() -> client(0).v1().billing().meterEvents().create(MeterEventCreateParams.builder()
                .setEventName("reset").putPayload("stripe_customer_id", customer.getId()).putPayload("value", "1").build()))
                .isInstanceOf(ApiConnectionException.class);
        assertThat(standIn.meterEventCount()).isZero();
    }

    @Test
    void slowAnswerExceedsAShortReadTimeout() throws Exception {
        standIn.faults().slow("/v1/customers", 1, Duration.ofSeconds(2));
        StripeClient impatient = StripeClient.builder().setApiKey(KEY).setApiBase(standIn.apiBase())
                .setMaxNetworkRetries(0).setReadTimeout(200).build();
        assertThatThrownBy(() -> impatient.v1().customers().list()).isInstanceOf(ApiConnectionException.class);
    }
}
