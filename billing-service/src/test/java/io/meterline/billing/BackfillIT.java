package io.meterline.billing;

import com.stripe.param.billing.MeterCreateParams.DefaultAggregation.Formula;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.usage.Aggregation;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** The metered-item backfill against the stand-in, with its diagnostics. */
@QuarkusTest
class BackfillIT extends StripeReportingFixture {

    @BeforeEach
    void onlyThisTestsSubscriptions() {
        // the backfill looks at every subscription in Stripe and in MongoDB: start each test from none in both
        SharedInfrastructure.stripe().reset();
        seed.db.getCollection(BillingCollections.SUBSCRIPTIONS).deleteMany(new Document());
        seed.db.getCollection(BillingCollections.CUSTOMERS).deleteMany(new Document());
    }

    static JsonPath backfill(Map<String, Object> body) {
        return given().auth().oauth2(BillingApi.admin()).contentType("application/json").body(body)
                .post("/admin/backfill/metered-items").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void dryRunListsEligibleSubscriptionsAndChangesNothing() throws Exception {
        StripeSeed.Metered metered = seed.metered("bf_" + run, Formula.SUM);
        StripeSeed.meter("bf-" + run, Aggregation.SUM, metered.eventName(), metered.priceId());
        String lacking = seed.subscription(seed.customer("a-" + run, null), "active");
        String trialing = seed.subscription(seed.customer("b-" + run, null), "trialing");
        seed.subscription(seed.customer("c-" + run, null), "active", metered);
        seed.subscription(seed.customer("d-" + run, null), "canceled");

        JsonPath result = backfill(Map.of("meter", "bf-" + run));

        assertThat(result.getBoolean("dryRun")).isTrue();
        assertThat(result.getString("price")).isEqualTo(metered.priceId());
        assertThat(result.getLong("subscriptionsSeen")).isEqualTo(4);
        assertThat(result.getLong("activeOrTrialing")).isEqualTo(3);
        assertThat(result.getLong("withStripeCustomer")).isEqualTo(3);
        assertThat(result.getLong("alreadyHaveItem")).isEqualTo(1);
        assertThat(result.getLong("eligible")).isEqualTo(2);
        assertThat(result.getLong("updated")).isZero();
        assertThat(result.getList("eligibleSubscriptions", String.class)).containsExactlyInAnyOrder(lacking, trialing);
        assertThat(SharedInfrastructure.stripe().object(lacking).get("items").get("data")).hasSize(1);
    }

    @Test
    void backfillAddsTheMeteredItemWithoutQuantityOncePerSubscription() throws Exception {
        StripeSeed.Metered metered = seed.metered("bfr_" + run, Formula.SUM);
        String first = seed.subscription(seed.customer("e-" + run, null), "active");
        String second = seed.subscription(seed.customer("f-" + run, null), "active");

        JsonPath result = backfill(Map.of("price", metered.priceId(), "dryRun", false));

        assertThat(result.getBoolean("dryRun")).isFalse();
        assertThat(result.getLong("eligible")).isEqualTo(2);
        assertThat(result.getLong("updated")).isEqualTo(2);
        assertThat(result.getLong("failed")).isZero();
        for (String subscription : List.of(first, second)) {
            var items = SharedInfrastructure.stripe().object(subscription).get("items").get("data");
            assertThat(items).hasSize(2);
            var added = items.get(1);
            assertThat(added.get("price").get("id").asText()).isEqualTo(metered.priceId());
            assertThat(added.has("quantity")).isFalse();
        }
        List<String> itemIds = result.getList("added.item", String.class);

        assertThat(itemIds).hasSize(2);

        // a repeat asks Stripe, which already has the items: nothing is added twice (even before webhook-service
        // has stored them, and whatever the idempotency keys' age)
        JsonPath again = backfill(Map.of("price", metered.priceId(), "dryRun", false));
        assertThat(again.getLong("alreadyHaveItem")).isEqualTo(2);
        assertThat(again.getList("added.item", String.class)).isEmpty();
        assertThat(SharedInfrastructure.stripe().object(first).get("items").get("data")).hasSize(2);
    }

    @Test
    void backfillThatSelectsNobodySaysWhy() throws Exception {
        StripeSeed.Metered metered = seed.metered("bfn_" + run, Formula.SUM);
        JsonPath none = backfill(Map.of("price", metered.priceId(), "dryRun", false));
        assertThat(none.getLong("subscriptionsSeen")).isZero();
        assertThat(none.getString("explanation")).contains("Stripe has no subscriptions");

        seed.subscription(seed.customer("g-" + run, null), "canceled");
        JsonPath inactive = backfill(Map.of("price", metered.priceId(), "dryRun", false));
        assertThat(inactive.getLong("subscriptionsSeen")).isEqualTo(1);
        assertThat(inactive.getLong("activeOrTrialing")).isZero();
        assertThat(inactive.getLong("updated")).isZero();
        assertThat(inactive.getString("explanation")).contains("active or trialing");

        seed.subscription(seed.customer("h-" + run, null), "active", metered);
        JsonPath covered = backfill(Map.of("price", metered.priceId(), "dryRun", false));
        assertThat(covered.getLong("alreadyHaveItem")).isEqualTo(1);
        assertThat(covered.getLong("eligible")).isZero();
        assertThat(covered.getString("explanation")).contains("already have an item");
    }

    @Test
    void failedUpdateIsReportedWithStripesReason() throws Exception {
        StripeSeed.Metered metered = seed.metered("bff_" + run, Formula.SUM);
        String subscription = seed.subscription(seed.customer("i-" + run, null), "active");
        SharedInfrastructure.stripe().faults().error("/v1/subscription_items", 1, 400, "invalid_request_error",
                "This customer has no attached payment source");
        JsonPath result = backfill(Map.of("price", metered.priceId(), "dryRun", false));
        assertThat(result.getLong("failed")).isEqualTo(1);
        assertThat(result.getString("failures[0].subscription")).isEqualTo(subscription);
        assertThat(result.getString("failures[0].reason")).contains("no attached payment source");
        assertThat(result.getInt("failures[0].status")).isEqualTo(400);
    }

    @Test
    void backfillNeedsAMeterWithAPriceOrAPrice() {
        given().auth().oauth2(BillingApi.admin()).contentType("application/json").body(Map.of())
                .post("/admin/backfill/metered-items").then().statusCode(400)
                .contentType("application/problem+json").body("code", equalTo("backfill_target_invalid"));
        given().auth().oauth2(BillingApi.admin()).contentType("application/json").body(Map.of("meter", "nope-" + run))
                .post("/admin/backfill/metered-items").then().statusCode(404).body("code", equalTo("meter_not_found"));
        StripeSeed.meter("noprice-" + run, Aggregation.SUM, "np_" + run, null);
        given().auth().oauth2(BillingApi.admin()).contentType("application/json").body(Map.of("meter", "noprice-" + run))
                .post("/admin/backfill/metered-items").then().statusCode(400).body("code", equalTo("backfill_target_invalid"));
    }

    @Test
    void backfillAsksStripeAndNamesSubscriptionsMeterlineMissedOrHoldsStale() throws Exception {
        StripeSeed.Metered metered = seed.metered("bfs_" + run, Formula.SUM);
        String known = seed.customer("k-" + run, null);
        // its webhooks were missed: Stripe has the subscription, MongoDB does not
        String missed = seed.subscription(known, "active");
        seed.db.getCollection(BillingCollections.SUBSCRIPTIONS).deleteOne(new Document("_id", missed));
        // canceled in Stripe, still active in Meterline's copy
        String stale = seed.subscription(seed.customer("s-" + run, null), "active", metered);
        SharedInfrastructure.stripe().setSubscriptionStatus(stale, "canceled");

        JsonPath result = backfill(Map.of("price", metered.priceId()));
        assertThat(result.getString("source")).isEqualTo("stripe");
        assertThat(result.getList("eligibleSubscriptions", String.class)).containsExactly(missed);
        assertThat(result.getLong("stripeSync.missingLocally")).isEqualTo(1);
        assertThat(result.getString("stripeSync.missingSamples[0].subscription")).isEqualTo(missed);
        assertThat(result.getString("stripeSync.missingSamples[0].stripeStatus")).isEqualTo("active");
        assertThat(result.getLong("stripeSync.staleLocally")).isEqualTo(1);
        assertThat(result.getString("stripeSync.staleSamples[0].subscription")).isEqualTo(stale);
        assertThat(result.getString("stripeSync.staleSamples[0].localStatus")).isEqualTo("active");
        assertThat(result.getString("stripeSync.action")).contains("/admin/webhook-events/catch-up");
        assertThat(result.getString("explanation")).contains("missing locally").contains("catch-up");

        JsonPath sync = given().auth().oauth2(BillingApi.admin()).get("/admin/stripe-sync").then().statusCode(200)
                .extract().jsonPath();
        assertThat(sync.getBoolean("stripeChecked")).isTrue();
        assertThat(sync.getLong("missingLocally")).isEqualTo(1);
        assertThat(sync.getLong("staleLocally")).isEqualTo(1);
        assertThat(sync.getList("missingSamples.subscription", String.class)).containsExactly(missed);

        // the real backfill adds the item to the subscription Meterline never heard of
        JsonPath real = backfill(Map.of("price", metered.priceId(), "dryRun", false));
        assertThat(real.getList("added.subscription", String.class)).containsExactly(missed);
        given().get("/admin/stripe-sync").then().statusCode(401);
    }
}
