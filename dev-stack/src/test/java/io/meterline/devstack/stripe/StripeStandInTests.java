package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.Event;
import com.stripe.model.Price;
import com.stripe.model.StripeCollection;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.model.billing.Meter;
import com.stripe.model.billing.MeterEvent;
import com.stripe.model.billing.MeterEventSummary;
import com.stripe.net.RequestOptions;
import com.stripe.net.Webhook;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerListParams;
import com.stripe.param.EventListParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.SubscriptionItemCreateParams;
import com.stripe.param.SubscriptionItemListParams;
import com.stripe.param.SubscriptionListParams;
import com.stripe.param.SubscriptionRetrieveParams;
import com.stripe.param.SubscriptionUpdateParams;
import com.stripe.param.billing.MeterCreateParams;
import com.stripe.param.billing.MeterEventAdjustmentCreateParams;
import com.stripe.param.billing.MeterEventCreateParams;
import com.stripe.param.billing.MeterEventSummaryListParams;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class StripeStandInTests {

    private static final String KEY = "sk_test_standin_tests";
    private static StripeStandIn standIn;
    private static StripeClient stripe;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() {
        standIn = StripeStandIn.start(0);
        stripe = client(2);
    }

    @AfterAll
    static void stop() {
        standIn.close();
    }

    @BeforeEach
    void clean() {
        standIn.reset();
    }

    private static StripeClient client(int retries) {
        return StripeClient.builder().setApiKey(KEY).setApiBase(standIn.apiBase()).setMaxNetworkRetries(retries).build();
    }

    private Meter meter(String eventName, MeterCreateParams.DefaultAggregation.Formula formula) throws StripeException {
        return stripe.v1().billing().meters().create(MeterCreateParams.builder()
                .setDisplayName(eventName)
                .setEventName(eventName)
                .setDefaultAggregation(MeterCreateParams.DefaultAggregation.builder().setFormula(formula).build())
                .build());
    }

    private Price meteredPrice(Meter meter) throws StripeException {
        return stripe.v1().prices().create(PriceCreateParams.builder()
                .setCurrency("usd")
                .setUnitAmount(5L)
                .setProductData(PriceCreateParams.ProductData.builder().setName("API calls").build())
                .setRecurring(PriceCreateParams.Recurring.builder()
                        .setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                        .setUsageType(PriceCreateParams.Recurring.UsageType.METERED)
                        .setMeter(meter.getId())
                        .build())
                .build());
    }

    private Customer customer(String email) throws StripeException {
        return stripe.v1().customers().create(CustomerCreateParams.builder().setEmail(email).putMetadata("subject", email).build());
    }

    private MeterEvent meterEvent(String eventName, String customer, long value, String identifier, long timestamp)
            throws StripeException {
        return stripe.v1().billing().meterEvents().create(MeterEventCreateParams.builder()
                .setEventName(eventName)
                .putPayload("stripe_customer_id", customer)
                .putPayload("value", String.valueOf(value))
                .setIdentifier(identifier)
                .setTimestamp(timestamp)
                .build());
    }

    @Test
    void subscriptionWithMeteredItemIsCreatedListedUpdatedAndCanceledThroughStripeJava() throws Exception {
        Meter calls = meter("api_calls", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Meter storage = meter("storage_gb", MeterCreateParams.DefaultAggregation.Formula.LAST);
        Price callsPrice = meteredPrice(calls);
        Price storagePrice = meteredPrice(storage);
        Customer customer = customer("a@example.com");

        Subscription sub = stripe.v1().subscriptions().create(SubscriptionCreateParams.builder()
                .setCustomer(customer.getId())
                .addItem(SubscriptionCreateParams.Item.builder().setPrice(callsPrice.getId()).build())
                .putMetadata("plan", "pro")
                .build());

        assertThat(sub.getId()).startsWith("sub_");
        assertThat(sub.getStatus()).isEqualTo("active");
        assertThat(sub.getCustomer()).isEqualTo(customer.getId());
        SubscriptionItem item = sub.getItems().getData().get(0);
        assertThat(item.getId()).startsWith("si_");
        assertThat(item.getPrice().getRecurring().getMeter()).isEqualTo(calls.getId());
        assertThat(item.getPrice().getRecurring().getUsageType()).isEqualTo("metered");
        assertThat(item.getQuantity()).isNull();

        Subscription expanded = stripe.v1().subscriptions().retrieve(sub.getId(),
                SubscriptionRetrieveParams.builder().addExpand("customer").build());
        assertThat(expanded.getCustomerObject().getEmail()).isEqualTo("a@example.com");

        Subscription updated = stripe.v1().subscriptions().update(sub.getId(), SubscriptionUpdateParams.builder()
                .addItem(SubscriptionUpdateParams.Item.builder().setPrice(storagePrice.getId()).build())
                .build());
        assertThat(updated.getItems().getData()).extracting(i -> i.getPrice().getId())
                .containsExactly(callsPrice.getId(), storagePrice.getId());

        StripeCollection<Subscription> active = stripe.v1().subscriptions().list(SubscriptionListParams.builder()
                .setCustomer(customer.getId()).setStatus(SubscriptionListParams.Status.ACTIVE).build());
        assertThat(active.getData()).extracting(Subscription::getId).containsExactly(sub.getId());

        Subscription canceled = stripe.v1().subscriptions().cancel(sub.getId());
        assertThat(canceled.getStatus()).isEqualTo("canceled");
        assertThat(stripe.v1().subscriptions().list(SubscriptionListParams.builder().setCustomer(customer.getId()).build())
                .getData()).isEmpty();
        assertThat(stripe.v1().subscriptions().list(SubscriptionListParams.builder().setCustomer(customer.getId())
                .setStatus(SubscriptionListParams.Status.ALL).build()).getData()).hasSize(1);
    }

    @Test
    void subscriptionItemsAreAddedListedAndDeleted() throws Exception {
        Price callsPrice = meteredPrice(meter("calls", MeterCreateParams.DefaultAggregation.Formula.SUM));
        Price seatPrice = stripe.v1().prices().create(PriceCreateParams.builder().setCurrency("usd").setUnitAmount(1000L)
                .setProductData(PriceCreateParams.ProductData.builder().setName("Seat").build())
                .setRecurring(PriceCreateParams.Recurring.builder()
                        .setInterval(PriceCreateParams.Recurring.Interval.MONTH).build())
                .build());
        Customer customer = customer("items@example.com");
        Subscription sub = stripe.v1().subscriptions().create(SubscriptionCreateParams.builder()
                .setCustomer(customer.getId())
                .addItem(SubscriptionCreateParams.Item.builder().setPrice(seatPrice.getId()).setQuantity(3L).build())
                .build());

        SubscriptionItem added = stripe.v1().subscriptionItems().create(SubscriptionItemCreateParams.builder()
                .setSubscription(sub.getId()).setPrice(callsPrice.getId()).build());
        assertThat(stripe.v1().subscriptionItems().list(SubscriptionItemListParams.builder().setSubscription(sub.getId())
                .build()).getData()).extracting(SubscriptionItem::getId)
                .containsExactly(sub.getItems().getData().get(0).getId(), added.getId());
        assertThat(stripe.v1().subscriptionItems().retrieve(added.getId()).getPrice().getId()).isEqualTo(callsPrice.getId());

        SubscriptionItem deleted = stripe.v1().subscriptionItems().delete(added.getId());
        assertThat(deleted.getDeleted()).isTrue();
        assertThat(stripe.v1().subscriptions().retrieve(sub.getId()).getItems().getData()).hasSize(1);
    }

    @Test
    void meteredItemWithQuantityIsRefusedLikeStripe() throws Exception {
        Price price = meteredPrice(meter("q_meter", MeterCreateParams.DefaultAggregation.Formula.SUM));
        Customer customer = customer("q@example.com");
        assertThatThrownBy(() -> stripe.v1().subscriptions().create(SubscriptionCreateParams.builder()
                .setCustomer(customer.getId())
                .addItem(SubscriptionCreateParams.Item.builder().setPrice(price.getId()).setQuantity(1L).build())
                .build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(400);
                    assertThat(e.getParam()).isEqualTo("items[0][quantity]");
                    assertThat(e.getStripeError().getMessage()).contains("usage_type is `metered`");
                });
    }

    @Test
    void meterEventWithRepeatedIdentifierIsRefusedAsDuplicate() throws Exception {
        Meter meter = meter("dedupe", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer customer = customer("d@example.com");
        long now = Instant.now().getEpochSecond();
        MeterEvent first = meterEvent(meter.getEventName(), customer.getId(), 7, "id-1", now);
        assertThat(first.getIdentifier()).isEqualTo("id-1");
        assertThat(first.getPayload()).containsEntry("value", "7");

        assertThatThrownBy(() -> meterEvent(meter.getEventName(), customer.getId(), 9, "id-1", now))
                .isInstanceOfSatisfying(InvalidRequestException.class, e ->
                        assertThat(e.getStripeError().getMessage()).startsWith("An event already exists with identifier id-1"));
        assertThat(standIn.meterEventCount()).isEqualTo(1);
    }

    @Test
    void meterEventValueMustBeAWholeNumberAndTimestampRecent() throws Exception {
        meter("rules", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer customer = customer("r@example.com");
        assertThatThrownBy(() -> stripe.v1().billing().meterEvents().create(MeterEventCreateParams.builder()
                .setEventName("rules").putPayload("stripe_customer_id", customer.getId()).putPayload("value", "1.5")
                .build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.getParam()).isEqualTo("payload[value]"));
        long tooOld = Instant.now().minus(Duration.ofDays(36)).getEpochSecond();
        assertThatThrownBy(() -> meterEvent("rules", customer.getId(), 1, "old", tooOld))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.getParam()).isEqualTo("timestamp"));
        long tooNew = Instant.now().plus(Duration.ofMinutes(10)).getEpochSecond();
        assertThatThrownBy(() -> meterEvent("rules", customer.getId(), 1, "new", tooNew))
                .isInstanceOf(InvalidRequestException.class);
        assertThat(standIn.meterEventCount()).isZero();
    }

    @Test
    void eventSummariesAggregatePerCustomerAndHour() throws Exception {
        Meter meter = meter("summed", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer a = customer("sa@example.com");
        Customer b = customer("sb@example.com");
        long hour = Instant.now().getEpochSecond() / 3600 * 3600 - 2 * 3600;
        meterEvent("summed", a.getId(), 5, "s1", hour + 10);
        meterEvent("summed", a.getId(), 6, "s2", hour + 3599);
        meterEvent("summed", a.getId(), 100, "s3", hour + 3600);
        meterEvent("summed", b.getId(), 1000, "s4", hour + 20);

        StripeCollection<MeterEventSummary> hourly = stripe.v1().billing().meters().eventSummaries().list(meter.getId(),
                MeterEventSummaryListParams.builder().setCustomer(a.getId()).setStartTime(hour).setEndTime(hour + 2 * 3600)
                        .setValueGroupingWindow(MeterEventSummaryListParams.ValueGroupingWindow.HOUR).build());
        assertThat(hourly.getData()).extracting(MeterEventSummary::getStartTime).containsExactly(hour, hour + 3600);
        assertThat(hourly.getData()).extracting(x -> x.getAggregatedValue().longValueExact()).containsExactly(11L, 100L);

        StripeCollection<MeterEventSummary> whole = stripe.v1().billing().meters().eventSummaries().list(meter.getId(),
                MeterEventSummaryListParams.builder().setCustomer(a.getId()).setStartTime(hour).setEndTime(hour + 3600).build());
        assertThat(whole.getData()).singleElement().extracting(x -> x.getAggregatedValue().longValueExact()).isEqualTo(11L);
        assertThat(standIn.hourlyTotals("summed", b.getId())).containsEntry(Instant.ofEpochSecond(hour), 1000L);

        assertThatThrownBy(() -> stripe.v1().billing().meters().eventSummaries().list(meter.getId(),
                MeterEventSummaryListParams.builder().setCustomer(a.getId()).setStartTime(hour + 1).setEndTime(hour + 3600).build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.getParam()).isEqualTo("start_time"));
    }

    @Test
    void lastFormulaSummarisesTheLatestValueAndCanceledEventsDoNotCount() throws Exception {
        Meter meter = meter("gauge", MeterCreateParams.DefaultAggregation.Formula.LAST);
        Customer a = customer("g@example.com");
        long hour = Instant.now().getEpochSecond() / 3600 * 3600 - 3600;
        meterEvent("gauge", a.getId(), 40, "g1", hour + 100);
        meterEvent("gauge", a.getId(), 30, "g2", hour + 200);
        meterEvent("gauge", a.getId(), 99, "g3", hour + 300);
        stripe.v1().billing().meterEventAdjustments().create(MeterEventAdjustmentCreateParams.builder()
                .setEventName("gauge").setType(MeterEventAdjustmentCreateParams.Type.CANCEL)
                .setCancel(MeterEventAdjustmentCreateParams.Cancel.builder().setIdentifier("g3").build()).build());

        StripeCollection<MeterEventSummary> summaries = stripe.v1().billing().meters().eventSummaries().list(meter.getId(),
                MeterEventSummaryListParams.builder().setCustomer(a.getId()).setStartTime(hour).setEndTime(hour + 3600).build());
        assertThat(summaries.getData().get(0).getAggregatedValue().longValueExact()).isEqualTo(30L);
    }

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

    @Test
    void webhooksAreSignedVerifiablyAndRetriedUntilAccepted() throws Exception {
        List<String[]> received = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        receiver.createContext("/webhooks/stripe", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = calls.incrementAndGet() == 1 ? 500 : 200;
            if (status == 200) {
                received.add(new String[] {body, exchange.getRequestHeaders().getFirst("Stripe-Signature")});
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        String secret = "whsec_" + UUID.randomUUID().toString().replace("-", "");
        String endpoint = standIn.addWebhookEndpoint("http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks/stripe",
                secret);
        try {
            Meter meter = meter("hooked", MeterCreateParams.DefaultAggregation.Formula.SUM);
            Price price = meteredPrice(meter);
            Customer customer = customer("w@example.com");
            stripe.v1().subscriptions().create(SubscriptionCreateParams.builder().setCustomer(customer.getId())
                    .addItem(SubscriptionCreateParams.Item.builder().setPrice(price.getId()).build()).build());

            await().atMost(Duration.ofSeconds(15)).until(() -> received.stream().map(r -> verify(r, secret).getType())
                    .toList().containsAll(List.of("customer.created", "customer.subscription.created")));
            Event subscriptionCreated = received.stream().map(r -> verify(r, secret))
                    .filter(e -> e.getType().equals("customer.subscription.created")).findFirst().orElseThrow();
            Subscription sub = (Subscription) subscriptionCreated.getDataObjectDeserializer().getObject().orElseThrow();
            assertThat(sub.getItems().getData().get(0).getPrice().getRecurring().getMeter()).isEqualTo(meter.getId());
            assertThat(standIn.webhookDeliveries()).anyMatch(d -> d.status() == 500 && d.attempt() == 1);

            String[] original = received.stream().filter(r -> r[0].contains("w@example.com")).findFirst().orElseThrow();
            String[] tampered = {original[0].replace("w@example.com", "evil@example.com"), original[1]};
            assertThatThrownBy(() -> Webhook.constructEvent(tampered[0], tampered[1], secret))
                    .isInstanceOf(com.stripe.exception.SignatureVerificationException.class);
        } finally {
            standIn.removeWebhookEndpoint(endpoint);
            receiver.stop(0);
        }
    }

    private static Event verify(String[] delivery, String secret) {
        try {
            return Webhook.constructEvent(delivery[0], delivery[1], secret);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void eventsAreListedNewestFirstAndFilteredByCreatedAndType() throws Exception {
        long before = Instant.now().getEpochSecond();
        Customer customer = customer("ev@example.com");
        stripe.v1().customers().update(customer.getId(),
                com.stripe.param.CustomerUpdateParams.builder().setName("Eve").build());
        StripeCollection<Event> events = stripe.v1().events().list(EventListParams.builder()
                .setCreated(EventListParams.Created.builder().setGte(before).build()).build());
        assertThat(events.getData()).extracting(Event::getType).containsExactly("customer.updated", "customer.created");
        Event updated = events.getData().get(0);
        assertThat(updated.getData().getPreviousAttributes()).containsKey("name");
        assertThat(stripe.v1().events().list(EventListParams.builder().setType("customer.created").build()).getData())
                .hasSize(1);
    }

    @Test
    void manyConcurrentMeterEventsAreAllStored() throws Exception {
        meter("concurrent", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer customer = customer("cc@example.com");
        long now = Instant.now().getEpochSecond();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                for (int i = 0; i < 50; i++) {
                    try {
                        meterEvent("concurrent", customer.getId(), 1, "c-" + thread + "-" + i, now);
                    } catch (StripeException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            worker.start();
            threads.add(worker);
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(standIn.meterEventCount()).isEqualTo(400);
        assertThat(standIn.hourlyTotals("concurrent", customer.getId()).values()).containsExactly(400L);
    }
}
