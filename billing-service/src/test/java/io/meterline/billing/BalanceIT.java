package io.meterline.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.model.UpdateOptions;
import com.stripe.StripeClient;
import com.stripe.model.Customer;
import com.stripe.param.CustomerCreateParams;
import io.meterline.billing.balance.BalanceOutbox;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.devstack.testing.StripeStandInResource;
import io.meterline.model.Topics;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.billing.SubscriptionItemDocument;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.meterline.billing.BillingApi.admin;
import static io.meterline.billing.BillingApi.putMeter;
import static io.meterline.billing.BillingApi.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** Prepaid balances through the real HTTP, Kafka, Mongo-wire and Stripe stand-in paths. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
@QuarkusTestResource(value = StripeStandInResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(BalanceTestResource.class)
class BalanceIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    MongoClient mongo;
    @ConfigProperty(name = "quarkus.mongodb.database")
    String database;
    @Inject
    BalanceOutbox outbox;

    final String run = UUID.randomUUID().toString().substring(0, 8);

    static boolean meterDeclared;

    @BeforeEach
    void meter() {
        if (meterDeclared) {
            return;
        }
        meterDeclared = true;
        putMeter(BalanceTestResource.PRICED_METER, Map.of("eventType", "call.ended", "aggregation", "SUM",
                "valuePath", "minutes", "stripeEventName", "prepaid_minutes"));
    }

    // ------------------------------------------------------------------ the seed's acceptance numbers

    @Test
    void seedAcceptanceCasesHoldWithTheirExactNumbers() {
        String customer = "seed-" + run;
        configure(customer, Map.of("debtLimit", 500));
        credit(customer, 100, "top-up").then().statusCode(200).body("balance", equalTo(100));

        debit(customer, 400, "d1").then().statusCode(200)
                .body("balance", equalTo(-300)).body("remainingDebtCapacity", equalTo(200))
                .body("needsRecharge", equalTo(true));
        debit(customer, 600, "d2").then().statusCode(402).contentType("application/problem+json")
                .body("code", equalTo("debt_limit_exceeded")).body("balance", equalTo(-300))
                .body("debtLimit", equalTo(500)).body("attempted", equalTo(600)).body("wouldBe", equalTo(-900))
                .body("remainingDebtCapacity", equalTo(200));
        balance(customer).then().body("balance", equalTo(-300));
        debit(customer, 200, "d3").then().statusCode(200)
                .body("balance", equalTo(-500)).body("remainingDebtCapacity", equalTo(0));
        debit(customer, 1, "d4").then().statusCode(402).body("wouldBe", equalTo(-501))
                .body("remainingDebtCapacity", equalTo(0));

        JsonPath history = history(customer);
        assertThat(history.getList("transactions.amount", Integer.class)).containsExactly(100, 400, 200);
        assertThat(history.getLong("recomputedBalance")).isEqualTo(-500);
        assertThat(history.getBoolean("consistent")).isTrue();
    }

    @Test
    void sameIdempotencyKeyReturnsTheFirstAnswerAndADifferentBodyIsAConflict() {
        String customer = "idem-" + run;
        credit(customer, 1000, "c1");
        JsonPath first = debit(customer, 250, "once").then().statusCode(200).extract().jsonPath();
        debit(customer, 100, "other").then().statusCode(200);
        Response replay = debit(customer, 250, "once");
        replay.then().statusCode(200).header("Idempotent-Replayed", "true")
                .body("balance", equalTo(first.getInt("balance")))
                .body("sequence", equalTo(first.getInt("sequence")))
                .body("replayed", equalTo(true));
        debit(customer, 251, "once").then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("idempotency_key_reused")).body("errors[0].field", equalTo("idempotencyKey"));
        balance(customer).then().body("balance", equalTo(650)).body("movements", equalTo(3));
    }

    @Test
    void twoHundredConcurrentDebitsFromSixteenThreadsNeverPassTheLimit() throws Exception {
        String customer = "race-" + run;
        configure(customer, Map.of("debtLimit", 500));
        long initial = 2_000;
        credit(customer, initial, "start");
        Random random = new Random(7);
        List<Callable<Long>> debits = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long amount = 1 + random.nextInt(60);
            String key = "r" + i;
            debits.add(() -> {
                Response answer = debit(customer, amount, key);
                if (answer.statusCode() == 200) {
                    return amount;
                }
                assertThat(answer.statusCode()).isEqualTo(402);
                assertThat(answer.jsonPath().getLong("wouldBe")).isLessThan(-500);
                return 0L;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        long accepted = 0;
        int refusals = 0;
        try {
            for (Future<Long> result : pool.invokeAll(debits)) {
                accepted += result.get();
                refusals += result.get() == 0 ? 1 : 0;
            }
        } finally {
            pool.shutdown();
        }
        assertThat(refusals).as("the random amounts sum past the limit: some must be refused").isPositive();
        JsonPath history = history(customer);
        long balance = history.getLong("balance");
        assertThat(balance).isEqualTo(initial - accepted).isGreaterThanOrEqualTo(-500);
        assertThat(history.getLong("recomputedBalance")).isEqualTo(balance);
        // replaying the history in order: no movement ever took the balance below the limit
        List<Integer> after = history.getList("transactions.balance", Integer.class);
        List<Integer> sequence = history.getList("transactions.sequence", Integer.class);
        assertThat(after).allMatch(b -> b >= -500);
        // the credit and every accepted debit, each once, numbered without gaps; refused debits left no trace
        assertThat(sequence).hasSize(1 + 200 - refusals).isSorted().doesNotHaveDuplicates();
        assertThat(sequence.get(sequence.size() - 1)).isEqualTo(1 + 200 - refusals);
        long running = 0;
        for (int delta : history.getList("transactions.delta", Integer.class)) {
            running += delta;
            assertThat(running).isGreaterThanOrEqualTo(-500);
        }
    }

    @Test
    void badInputIsAProblemNamingTheField() {
        String customer = "bad-" + run;
        String writer = admin();
        for (Map.Entry<String, String> c : Map.of(
                "{\"amount\":0,\"idempotencyKey\":\"k\",\"reason\":\"r\"}", "amount",
                "{\"amount\":1.5,\"idempotencyKey\":\"k\",\"reason\":\"r\"}", "amount",
                "{\"amount\":\"10\",\"idempotencyKey\":\"k\",\"reason\":\"r\"}", "amount",
                "{\"amount\":10,\"reason\":\"r\"}", "idempotencyKey",
                "{\"amount\":10,\"idempotencyKey\":\"k\"}", "reason",
                "{\"amount\":10,\"idempotencyKey\":\"k\",\"reason\":\"r\",\"currency\":\"dollars\"}", "currency",
                "not json", "body").entrySet()) {
            given().auth().oauth2(writer).contentType("application/json").body(c.getKey())
                    .post("/v1/balances/" + customer + "/debits")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", equalTo(c.getValue()));
        }
        given().auth().oauth2(writer).contentType("application/json").body("{\"billingModes\":[\"postpaid\"]}")
                .put("/v1/balances/" + customer).then().statusCode(400).body("errors[0].field", equalTo("billingModes"));
        given().auth().oauth2(writer).get("/v1/balances/" + customer).then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("balance_not_found"));
    }

    @Test
    void movementsRefuseOtherMediaTypesOversizedBodiesAndUnverifiableTokensAsProblems() {
        String customer = "route-" + run;
        String writer = admin();
        String body = "{\"amount\":5,\"idempotencyKey\":\"k\",\"reason\":\"r\"}";
        given().auth().oauth2(writer).contentType("text/plain").body(body)
                .post("/v1/balances/" + customer + "/debits").then().statusCode(415)
                .contentType("application/problem+json").body("code", equalTo("unsupported_media_type"));
        given().auth().oauth2(writer).contentType("application/json")
                .body("{\"amount\":5,\"idempotencyKey\":\"k\",\"reason\":\"" + "r".repeat(20_000) + "\"}")
                .post("/v1/balances/" + customer + "/credits").then().statusCode(413).contentType("application/problem+json");
        // a token's verified identity is reused for that exact token only: a tampered copy is still refused
        given().auth().oauth2(writer).contentType("application/json").body(body)
                .post("/v1/balances/" + customer + "/credits").then().statusCode(200).body("balance", equalTo(5));
        given().auth().oauth2(writer + "x").contentType("application/json").body(body)
                .post("/v1/balances/" + customer + "/credits").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", "Bearer")
                .body("code", equalTo("unauthenticated"));
        given().auth().oauth2(writer).contentType("application/json").body(body)
                .post("/v1/balances/" + customer + "/credits").then().statusCode(200)
                .header("Idempotent-Replayed", "true").body("balance", equalTo(5)).body("replayed", equalTo(true));
    }

    @Test
    void answersForAKnownTokenKeepTheRequestIdAndTheHttpMetricsNameTheRouteTemplates() {
        String customer = "known-" + run;
        String writer = token(Set.of("balance:write"), List.of(customer));
        String body = "{\"amount\":5,\"idempotencyKey\":\"%s\",\"reason\":\"r\"}";
        // the first request verifies the token through Quarkus; the next ones are taken ahead of it (decision 0119)
        for (int i = 0; i < 3; i++) {
            String requestId = "req-" + run + "-" + i;
            given().auth().oauth2(writer).header("X-Request-Id", requestId).contentType("application/json")
                    .body(body.formatted("k" + i)).post("/v1/balances/" + customer + "/credits")
                    .then().statusCode(200).header("X-Request-Id", requestId).body("balance", equalTo(5));
            given().auth().oauth2(writer).header("X-Request-Id", requestId + "-d").contentType("application/json")
                    .body(body.formatted("d" + i)).post("/v1/balances/" + customer + "/debits")
                    .then().statusCode(200).header("X-Request-Id", requestId + "-d").body("balance", equalTo(0));
            given().auth().oauth2(writer).get("/v1/entitlements/" + customer).then().statusCode(200)
                    .body("allowed", equalTo(true));
        }
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("uri=\"/v1/balances/{customer}/credits\"", "uri=\"/v1/balances/{customer}/debits\"",
                "uri=\"/v1/entitlements/{customer}\"").doesNotContain(customer);
    }

    @Test
    void aKnownTokensIdentityAnswersOnlyRequestsCarryingExactlyThatToken() {
        // known callers are looked up by the whole Authorization value (decision 0156): never by a part of it
        String customer = "exact-token-" + run;
        credit(customer, 10, "c");
        String reader = token(Set.of(), List.of(customer));
        String otherReader = token(Set.of(), List.of("someone-else-" + run));
        given().auth().oauth2(reader).get("/v1/entitlements/" + customer).then().statusCode(200)
                .body("allowed", equalTo(true)).body("balance", equalTo(10));
        given().auth().oauth2(reader + "x").get("/v1/entitlements/" + customer).then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", "Bearer")
                .body("code", equalTo("unauthenticated"));
        given().header("Authorization", "Bearer " + reader.substring(0, reader.length() - 1))
                .get("/v1/entitlements/" + customer).then().statusCode(401).body("code", equalTo("unauthenticated"));
        given().auth().oauth2(otherReader).get("/v1/entitlements/" + customer).then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("forbidden_customer"));
        given().auth().oauth2(reader).get("/v1/entitlements/" + customer).then().statusCode(200)
                .body("allowed", equalTo(true));
    }

    @Test
    void aScopedTokenStaysScopedOnEveryRequestAfterItsIdentityIsKept() {
        // the first request verifies the token and keeps its identity and customers claim; the later ones reuse them
        String customer = "kept-scope-" + run;
        credit(customer, 100, "c");
        String scopedReader = token(Set.of(), List.of(customer));
        String scopedWriter = token(Set.of("balance:write"), List.of(customer));
        String body = "{\"amount\":1,\"idempotencyKey\":\"k-%d\",\"reason\":\"r\"}";
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(scopedReader).get("/v1/entitlements/" + customer).then().statusCode(200)
                    .body("allowed", equalTo(true));
            given().auth().oauth2(scopedReader).get("/v1/entitlements/someone-else-" + run).then().statusCode(403)
                    .contentType("application/problem+json").body("code", equalTo("forbidden_customer"));
            given().auth().oauth2(scopedWriter).contentType("application/json").body(String.format(body, i))
                    .post("/v1/balances/" + customer + "/debits").then().statusCode(200);
            given().auth().oauth2(scopedWriter).contentType("application/json").body(String.format(body, i))
                    .post("/v1/balances/someone-else-" + run + "/debits").then().statusCode(403)
                    .contentType("application/problem+json").body("code", equalTo("forbidden_customer"));
        }
        given().auth().oauth2(scopedReader).get("/v1/entitlements/" + customer).then().statusCode(200)
                .body("balance", equalTo(97));
    }

    @Test
    void tokensActOnlyOnTheirCustomersAndWithTheirRoles() {
        String customer = "scope-" + run;
        credit(customer, 100, "c");
        String ownWriter = token(Set.of("balance:write"), List.of(customer));
        String otherWriter = token(Set.of("balance:write"), List.of("someone-else"));
        String reader = token(Set.of("usage:read"), List.of());
        String scopedReader = token(Set.of(), List.of(customer));
        String writeBody = "{\"amount\":5,\"idempotencyKey\":\"k\",\"reason\":\"r\"}";

        given().auth().oauth2(ownWriter).contentType("application/json").body(writeBody)
                .post("/v1/balances/" + customer + "/debits").then().statusCode(200);
        given().auth().oauth2(otherWriter).contentType("application/json").body(writeBody)
                .post("/v1/balances/" + customer + "/debits").then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("forbidden_customer"));
        given().auth().oauth2(reader).contentType("application/json").body(writeBody)
                .post("/v1/balances/" + customer + "/credits").then().statusCode(403).body("code", equalTo("forbidden"));
        given().contentType("application/json").body(writeBody)
                .post("/v1/balances/" + customer + "/credits").then().statusCode(401);

        given().auth().oauth2(reader).get("/v1/balances/" + customer).then().statusCode(200).body("balance", equalTo(95));
        given().auth().oauth2(scopedReader).get("/v1/entitlements/" + customer).then().statusCode(200)
                .body("allowed", equalTo(true));
        given().auth().oauth2(token(Set.of(), List.of("someone-else"))).get("/v1/entitlements/" + customer)
                .then().statusCode(403).body("code", equalTo("forbidden_customer"));
        given().auth().oauth2(token(Set.of("usage:write"), List.of())).get("/v1/entitlements/" + customer)
                .then().statusCode(403).body("code", equalTo("forbidden"));
        given().auth().oauth2(reader).get("/v1/entitlements/" + customer + "?meter=no-such-meter")
                .then().statusCode(404).body("errors[0].field", equalTo("meter"));
        given().auth().oauth2(reader).get("/v1/entitlements/" + customer + "?currency=dollars")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("currency"));
        given().get("/v1/entitlements/" + customer).then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer").body("code", equalTo("unauthenticated"));
        given().auth().oauth2(reader + "x").get("/v1/entitlements/" + customer).then().statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void entitlementFlipsToNotAllowedWhenTheDebtLimitIsReached() {
        String customer = "ent-" + run;
        configure(customer, Map.of("debtLimit", 100));
        credit(customer, 50, "c");
        String reader = token(Set.of("usage:read"), List.of());
        entitlement(reader, customer).then().body("allowed", equalTo(true)).body("reason", equalTo("ok"))
                .body("remainingDebtCapacity", equalTo(150));
        debit(customer, 150, "all").then().statusCode(200);
        // this instance's own write reaches the cache before the debit answers: no waiting
        entitlement(reader, customer).then()
                .body("allowed", equalTo(false)).body("reason", equalTo("debt_limit_reached"))
                .body("balance", equalTo(-100)).body("remainingDebtCapacity", equalTo(0))
                .body("needsRecharge", equalTo(true));
        given().auth().oauth2(reader).get("/v1/entitlements/nobody-" + run).then().statusCode(200)
                .body("allowed", equalTo(false)).body("reason", equalTo("no_balance"));
    }

    @Test
    void entitlementIsSubscriptionInactiveWhileTheMetersStripeSubscriptionIsNotActive() {
        String customer = "subs-" + run;
        credit(customer, 1000, "c");
        String reader = token(Set.of("usage:read"), List.of());
        entitlement(reader, customer).then().body("allowed", equalTo(true)).body("reason", equalTo("ok"));

        // what webhook-service keeps after customer.created and customer.subscription.deleted
        String stripeCustomer = "cus_" + run;
        String subscription = "sub_" + run;
        CustomerDocument customerDocument = new CustomerDocument();
        customerDocument.id = stripeCustomer;
        customerDocument.subject = customer;
        mongo.getDatabase(database).getCollection(BillingCollections.CUSTOMERS, CustomerDocument.class)
                .insertOne(customerDocument);
        SubscriptionItemDocument item = new SubscriptionItemDocument();
        item.id = "si_" + run;
        item.priceId = "price_" + run;
        item.meterEventName = "prepaid_minutes";
        SubscriptionDocument subscriptionDocument = new SubscriptionDocument();
        subscriptionDocument.id = subscription;
        subscriptionDocument.customerId = stripeCustomer;
        subscriptionDocument.status = "canceled";
        subscriptionDocument.items.add(item);
        var subscriptions = mongo.getDatabase(database)
                .getCollection(BillingCollections.SUBSCRIPTIONS, SubscriptionDocument.class);
        subscriptions.insertOne(subscriptionDocument);

        await().atMost(WAIT).untilAsserted(() -> entitlement(reader, customer).then().statusCode(200)
                .body("allowed", equalTo(false)).body("reason", equalTo("subscription_inactive"))
                .body("subscriptionStatus", equalTo("canceled")).body("balance", equalTo(1000)));
        // a meter the subscription does not bill, and no meter at all, are not affected
        given().auth().oauth2(reader).get("/v1/entitlements/" + customer).then().statusCode(200)
                .body("allowed", equalTo(true)).body("reason", equalTo("ok"));

        for (String status : List.of("unpaid", "incomplete_expired", "paused")) {
            subscriptions.updateOne(com.mongodb.client.model.Filters.eq("_id", subscription),
                    new Document("$set", new Document("status", status)));
            await().atMost(WAIT).untilAsserted(() -> entitlement(reader, customer).then()
                    .body("allowed", equalTo(false)).body("reason", equalTo("subscription_inactive"))
                    .body("subscriptionStatus", equalTo(status)));
        }
        // paid again: allowed again, as the balance permits
        subscriptions.updateOne(com.mongodb.client.model.Filters.eq("_id", subscription),
                new Document("$set", new Document("status", "active")));
        await().atMost(WAIT).untilAsserted(() -> entitlement(reader, customer).then()
                .body("allowed", equalTo(true)).body("reason", equalTo("ok")));
    }

    @Test
    void crossingBelowTheThresholdPublishesOneNotificationPerCrossing() {
        String customer = "notify-" + run;
        credit(customer, 300, "c1");
        configure(customer, Map.of("rechargeThreshold", 100));
        debit(customer, 250, "d1");   // 50: crossing 1
        debit(customer, 10, "d2");    // still below: no second record
        debit(customer, 10, "d3");
        credit(customer, 500, "c2");  // back above: re-armed
        debit(customer, 480, "d4");   // crossing 2
        balance(customer).then().body("rechargeSequence", equalTo(2));

        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = notificationsConsumer()) {
            await().atMost(WAIT).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key().equals(customer)) {
                        records.add(r);
                    }
                });
                assertThat(records).hasSize(2);
            });
            // nothing more arrives for this customer
            for (int i = 0; i < 5; i++) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> assertThat(r.key()).isNotEqualTo(customer));
            }
        }
        assertThat(records).extracting(ConsumerRecord::value)
                .anySatisfy(v -> assertThat(v).contains("\"type\":\"balance.recharge_needed\"").contains("\"sequence\":1")
                        .contains("\"balance\":50"))
                .anySatisfy(v -> assertThat(v).contains("\"sequence\":2"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(balanceDocument(customer).getList("outbox", Document.class)).isEmpty());
    }

    // ------------------------------------------------------------------ usage draws the balance down

    @Test
    void usageOfAPrepaidCustomerIsDebitedOncePerWindowChangeAndUnsettledPastTheLimit() {
        String customer = "usage-" + run;
        configure(customer, Map.of("debtLimit", 20, "billingModes", List.of("prepaid")));
        credit(customer, 100, "start");
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
        try (TestEvents events = new TestEvents(SharedInfrastructure.kafka().bootstrapServers(), Topics.USAGE_EVENTS)) {
            for (int i = 0; i < 10; i++) {
                var event = TestEvents.event("call-" + run + "-" + i, "it", "call.ended", customer, hour.plusSeconds(i));
                ((ObjectNode) event.get("data")).put("minutes", 3);
                events.send(event);
            }
            // a redelivered event is counted once
            var again = TestEvents.event("call-" + run + "-0", "it", "call.ended", customer, hour);
            ((ObjectNode) again.get("data")).put("minutes", 3);
            events.send(again);
            events.flush();
            // 30 minutes × 0.5 = 15
            await().atMost(WAIT).untilAsserted(() -> balance(customer).then().body("balance", equalTo(85)));

            // 300 more minutes cost 150: past the limit of 20 below zero, so it is kept as unsettled, not dropped
            var big = TestEvents.event("call-" + run + "-big", "it", "call.ended", customer, hour.plusSeconds(30));
            ((ObjectNode) big.get("data")).put("minutes", 300);
            events.send(big);
            events.flush();
        }
        await().atMost(WAIT).untilAsserted(() -> balance(customer).then()
                .body("balance", equalTo(85)).body("unsettled", equalTo(150)).body("blocked", equalTo(true)));
        String reader = token(Set.of("usage:read"), List.of());
        await().atMost(WAIT).untilAsserted(() -> entitlement(reader, customer).then()
                .body("allowed", equalTo(false)).body("reason", equalTo("blocked")));

        // the next credit settles the unsettled usage first
        credit(customer, 200, "top-up").then().statusCode(200).body("balance", equalTo(135)).body("unsettled", equalTo(0));
        JsonPath history = history(customer);
        assertThat(history.getBoolean("consistent")).isTrue();
        assertThat(history.getList("transactions.kind")).contains("usage");
        long usageCost = 0;
        for (Map<String, Object> t : history.<Map<String, Object>>getList("transactions")) {
            if ("usage".equals(t.get("kind"))) {
                usageCost += ((Number) t.get("amount")).longValue();
            }
        }
        // 330 minutes × 0.5, once: replays of window totals and the redelivered event debited nothing twice
        assertThat(usageCost).isEqualTo(165);
    }

    // ------------------------------------------------------------------ auto-recharge

    @Test
    void twentyConcurrentTriggersAndALostAnswerCreateOnePaymentIntentAndOneCredit() throws Exception {
        String customer = "recharge-" + run;
        Customer stripeCustomer = stripe().v1().customers().create(CustomerCreateParams.builder()
                .setEmail(customer + "@example.com")
                .setInvoiceSettings(CustomerCreateParams.InvoiceSettings.builder().setDefaultPaymentMethod("pm_card_visa").build())
                .build());
        configure(customer, Map.of("rechargeThreshold", 0,
                "autoRecharge", Map.of("amount", 1000, "stripeCustomer", stripeCustomer.getId())));
        credit(customer, 100, "c");
        // the first PaymentIntent request is processed but its answer never arrives
        SharedInfrastructure.stripe().faults().dropResponse("/v1/payment_intents", 1);
        debit(customer, 150, "cross").then().statusCode(200).body("balance", equalTo(-50));

        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Callable<Void>> triggers = Collections.nCopies(20, () -> {
                outbox.process("recharge-" + run + "|usd");
                return null;
            });
            for (Future<Void> f : pool.invokeAll(triggers)) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        await().atMost(WAIT).untilAsserted(() -> balance(customer).then().body("recharge.status", equalTo("requested")));
        var intents = SharedInfrastructure.stripe().paymentIntents().stream()
                .filter(pi -> pi.path("customer").asText().equals(stripeCustomer.getId())).toList();
        assertThat(intents).hasSize(1);
        var intent = intents.get(0);
        assertThat(intent.path("status").asText()).isEqualTo("succeeded");
        assertThat(intent.path("payment_method").asText()).isEqualTo("pm_card_visa");
        assertThat(intent.path("amount").asLong()).isEqualTo(1000);
        assertThat(intent.path("metadata").path("meterline_recharge_sequence").asText()).isEqualTo("1");
        balance(customer).then().body("recharge.paymentIntent", equalTo(intent.path("id").asText()));

        // webhook-service's record of payment_intent.succeeded, delivered three times (and the created event's
        // ignored): the balance is credited once
        for (int i = 0; i < 3; i++) {
            recordPayment(intent.path("id").asText(), customer + "|usd", 1, 1000, true, null);
            outbox.applyPayments();
        }
        await().atMost(WAIT).untilAsserted(() -> balance(customer).then()
                .body("balance", equalTo(950)).body("recharge.status", equalTo("succeeded")));
        JsonPath history = history(customer);
        assertThat(history.getList("transactions.kind")).containsOnlyOnce("recharge");
        assertThat(history.getBoolean("consistent")).isTrue();
        assertThat(SharedInfrastructure.stripe().paymentIntents().stream()
                .filter(pi -> pi.path("customer").asText().equals(stripeCustomer.getId())).count()).isEqualTo(1);
    }

    @Test
    void aDeclinedCardFailsThatRechargeOnceAndStopsRetrying() throws Exception {
        String customer = "declined-" + run;
        Customer stripeCustomer = stripe().v1().customers().create(CustomerCreateParams.builder()
                .setInvoiceSettings(CustomerCreateParams.InvoiceSettings.builder()
                        .setDefaultPaymentMethod("pm_card_chargeDeclined").build())
                .build());
        configure(customer, Map.of("rechargeThreshold", 0,
                "autoRecharge", Map.of("amount", 500, "stripeCustomer", stripeCustomer.getId())));
        debit(customer, 10, "cross").then().statusCode(200);
        await().atMost(WAIT).untilAsserted(() -> balance(customer).then()
                .body("recharge.status", equalTo("failed")).body("recharge.failureCode", equalTo("card_declined")));
        String pi = balance(customer).jsonPath().getString("recharge.paymentIntent");
        assertThat(pi).startsWith("pi_");
        // the failure webhook arrives too (twice): still one attempt, and the sweep does not try again
        recordPayment(pi, customer + "|usd", 1, 500, false, "card_declined");
        recordPayment(pi, customer + "|usd", 1, 500, false, "card_declined");
        outbox.applyPayments();
        outbox.process(customer + "|usd");
        assertThat(SharedInfrastructure.stripe().paymentIntents().stream()
                .filter(p -> p.path("customer").asText().equals(stripeCustomer.getId())).count()).isEqualTo(1);
        balance(customer).then().body("balance", equalTo(-10)).body("recharge.status", equalTo("failed"));
    }

    // ------------------------------------------------------------------ helpers

    static StripeClient stripe() {
        return StripeClient.builder().setApiKey(StripeStandInResource.API_KEY)
                .setApiBase(SharedInfrastructure.stripe().apiBase()).build();
    }

    /** Writes the outcome as webhook-service does (see RechargePaymentRepository there): order-independent fields. */
    void recordPayment(String pi, String account, long sequence, long amount, boolean succeeded, String failureCode) {
        Document set = new Document("account", account).append("sequence", sequence).append("amount", amount)
                .append("currency", "usd").append("handled", false);
        if (succeeded) {
            set.append("succeeded", true);
        } else {
            set.append("failureCode", failureCode);
        }
        mongo.getDatabase(database).getCollection(BillingCollections.RECHARGE_PAYMENTS).updateOne(
                new Document("_id", pi), new Document("$set", set).append("$inc", new Document("revision", 1L)),
                new UpdateOptions().upsert(true));
    }

    Document balanceDocument(String customer) {
        return mongo.getDatabase(database).getCollection("balances").find(new Document("_id", customer + "|usd")).first();
    }

    static KafkaConsumer<String, String> notificationsConsumer() {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        await().atMost(WAIT).until(() -> !consumer.partitionsFor(Topics.BILLING_NOTIFICATIONS).isEmpty());
        consumer.partitionsFor(Topics.BILLING_NOTIFICATIONS)
                .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    static void configure(String customer, Map<String, Object> settings) {
        given().auth().oauth2(admin()).contentType("application/json").body(settings)
                .put("/v1/balances/" + customer).then().statusCode(200);
    }

    static Response credit(String customer, long amount, String key) {
        return move(customer, "credits", amount, key);
    }

    static Response debit(String customer, long amount, String key) {
        return move(customer, "debits", amount, key);
    }

    static Response move(String customer, String kind, long amount, String key) {
        return given().auth().oauth2(admin()).contentType("application/json")
                .body(Map.of("amount", amount, "idempotencyKey", key, "reason", "it"))
                .post("/v1/balances/" + customer + "/" + kind);
    }

    static Response balance(String customer) {
        return given().auth().oauth2(admin()).get("/v1/balances/" + customer);
    }

    static JsonPath history(String customer) {
        return given().auth().oauth2(admin()).get("/v1/balances/" + customer + "/transactions")
                .then().statusCode(200).extract().jsonPath();
    }

    static Response entitlement(String token, String customer) {
        return given().auth().oauth2(token).queryParam("meter", BalanceTestResource.PRICED_METER)
                .get("/v1/entitlements/" + customer);
    }
}
