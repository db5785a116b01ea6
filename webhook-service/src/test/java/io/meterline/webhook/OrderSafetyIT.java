package io.meterline.webhook;

import com.mongodb.client.MongoClient;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.webhook.support.Deliveries;
import io.meterline.webhook.support.WebhookSecretsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.meterline.webhook.support.Mongo.byId;
import static io.meterline.webhook.support.Mongo.event;
import static io.meterline.webhook.support.StripeFixtures.customer;
import static io.meterline.webhook.support.StripeFixtures.event;
import static io.meterline.webhook.support.StripeFixtures.id;
import static io.meterline.webhook.support.StripeFixtures.json;
import static io.meterline.webhook.support.StripeFixtures.subscription;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Stripe does not order deliveries: state must end as Stripe's latest whatever the arrival order. */
@QuarkusTest
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(value = WebhookSecretsResource.class, restrictToAnnotatedClass = true)
class OrderSafetyIT {

    @Inject
    MongoClient mongo;

    @Test
    void subscriptionUpdatedDeliveredBeforeCreatedEndsInTheUpdatedState() {
        String subId = id("sub");
        String customerId = id("cus");
        long t = Instant.now().getEpochSecond() - 100;
        String created = id("evt");
        String updated = id("evt");

        deliverAndAwait(updated, json(event(updated, "customer.subscription.updated", t + 5,
                subscription(subId, customerId, "active", "si_1", "price_1", null, t, t + 2_592_000))));
        deliverAndAwait(created, json(event(created, "customer.subscription.created", t,
                subscription(subId, customerId, "incomplete", "si_1", "price_1", null, t, t + 2_592_000))));

        Document stored = byId(mongo, "stripe_subscriptions", subId);
        assertThat(stored.getString("status")).isEqualTo("active");
        assertThat(stored.getString("lastEventId")).isEqualTo(updated);
        assertThat(event(mongo, created).getString("outcome")).isEqualTo("stale");
    }

    @Test
    void olderUpdateDeliveredAfterNewerOneChangesNothing() {
        String subId = id("sub");
        String customerId = id("cus");
        long t = Instant.now().getEpochSecond() - 100;
        String first = id("evt");
        String second = id("evt");
        String third = id("evt");

        deliverAndAwait(first, json(event(first, "customer.subscription.created", t,
                subscription(subId, customerId, "active", "si_1", "price_1", null, t, t + 100))));
        deliverAndAwait(third, json(event(third, "customer.subscription.deleted", t + 20,
                subscription(subId, customerId, "canceled", "si_1", "price_1", null, t, t + 100))));
        deliverAndAwait(second, json(event(second, "customer.subscription.updated", t + 10,
                subscription(subId, customerId, "past_due", "si_1", "price_1", null, t, t + 100))));

        Document stored = byId(mongo, "stripe_subscriptions", subId);
        assertThat(stored.getString("status")).isEqualTo("canceled");
        assertThat(stored.getLong("lastEventCreated")).isEqualTo(t + 20);
        assertThat(event(mongo, second).getString("outcome")).isEqualTo("stale");
    }

    @Test
    void subscriptionLandsInBillingsShapeWithItemPeriodsOfNewerApiVersions() {
        String subId = id("sub");
        String customerId = id("cus");
        String itemId = id("si");
        long start = 1_767_225_600L;
        long end = 1_769_904_000L;
        String eventId = id("evt");
        var object = subscription(subId, customerId, "trialing", itemId, "price_metered", "mtr_123", start, end);
        // the price names its meter's event name in metadata (used when no Stripe key is configured)
        ((com.fasterxml.jackson.databind.node.ObjectNode) object.path("items").path("data").get(0).path("price")
                .path("metadata")).put("meterline_meter_event_name", "api_requests");

        deliverAndAwait(eventId, json(event(eventId, "customer.subscription.created", start, object)));

        Document stored = byId(mongo, "stripe_subscriptions", subId);
        assertThat(stored.getString("customerId")).isEqualTo(customerId);
        assertThat(stored.getString("status")).isEqualTo("trialing");
        assertThat(stored.getLong("currentPeriodStart")).isEqualTo(start);
        assertThat(stored.getLong("currentPeriodEnd")).isEqualTo(end);
        List<Document> items = stored.getList("items", Document.class);
        assertThat(items).hasSize(1);
        assertThat(items.get(0).getString("priceId")).isEqualTo("price_metered");
        assertThat(items.get(0).getString("meterId")).isEqualTo("mtr_123");
        assertThat(items.get(0).getString("meterEventName")).isEqualTo("api_requests");
    }

    @Test
    void sameSecondEventsForOneSubscriptionAreBothAppliedInArrivalOrderWithoutStripeKey() {
        // without a Stripe key a same-second tie cannot be settled by re-fetching: the later-processed event wins
        String subId = id("sub");
        long t = Instant.now().getEpochSecond() - 100;
        String a = id("evt");
        String b = id("evt");
        deliverAndAwait(a, json(event(a, "customer.subscription.created", t,
                subscription(subId, "cus_x", "incomplete", "si_1", "price_1", null, t, t + 100))));
        deliverAndAwait(b, json(event(b, "customer.subscription.updated", t,
                subscription(subId, "cus_x", "active", "si_1", "price_1", null, t, t + 100))));

        assertThat(byId(mongo, "stripe_subscriptions", subId).getString("status")).isEqualTo("active");
        assertThat(event(mongo, b).getString("outcome")).isEqualTo("applied");
    }

    @Test
    void customerUpdatesApplyInEventOrderNotArrivalOrder() {
        String customerId = id("cus");
        long t = Instant.now().getEpochSecond() - 100;
        String newer = id("evt");
        String older = id("evt");
        deliverAndAwait(newer, json(event(newer, "customer.updated", t + 3, customer(customerId, "subject-new", null))));
        deliverAndAwait(older, json(event(older, "customer.created", t, customer(customerId, "subject-old", null))));

        Document stored = byId(mongo, "stripe_customers", customerId);
        assertThat(stored.getString("subject")).isEqualTo("subject-new");
        assertThat(stored.getString("lastEventId")).isEqualTo(newer);
    }

    private void deliverAndAwait(String eventId, String body) {
        Deliveries.deliver(body).then().statusCode(200);
        await().untilAsserted(() -> assertThat(event(mongo, eventId).getString("status")).isEqualTo("processed"));
    }
}
