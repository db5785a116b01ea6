package io.meterline.billing;

import com.mongodb.client.MongoClient;
import com.mongodb.client.model.Filters;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.model.billing.BillingCollections;
import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.billing.SubscriptionItemDocument;
import io.meterline.model.usage.Aggregation;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** Without a Stripe key: reporting plans and counts, sends nothing, writes no ledger, and says "dry-run". */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
@QuarkusTestResource(ReportingTestResource.class)
class DryRunReportingIT {

    @Inject
    MongoClient mongo;

    final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void withoutAKeyRunsAreDryAndHealthSaysSo() {
        given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'stripe reporting' }.data.mode", equalTo("dry-run"));

        StripeSeed seed = new StripeSeed(mongo);
        String meter = "dry-" + run;
        StripeSeed.meter(meter, Aggregation.SUM, "dry_" + run, null);
        CustomerDocument customer = new CustomerDocument();
        customer.id = "cus_dry" + run;
        customer.subject = "d-" + run;
        seed.db.getCollection(BillingCollections.CUSTOMERS, CustomerDocument.class).insertOne(customer);
        SubscriptionDocument subscription = new SubscriptionDocument();
        subscription.id = "sub_dry" + run;
        subscription.customerId = customer.id;
        subscription.status = "active";
        SubscriptionItemDocument item = new SubscriptionItemDocument();
        item.id = "si_dry" + run;
        item.priceId = "price_dry";
        item.meterEventName = "dry_" + run;
        subscription.items.add(item);
        seed.db.getCollection(BillingCollections.SUBSCRIPTIONS, SubscriptionDocument.class).insertOne(subscription);
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
        seed.window(meter, "d-" + run, null, hour, 42.5, Aggregation.SUM);

        JsonPath result = StripeSeed.report();
        assertThat(result.getBoolean("dryRun")).isTrue();
        assertThat(result.getString("stripeApiBase")).isNull();
        assertThat(result.getLong("reported")).isGreaterThanOrEqualTo(1);
        assertThat(result.getLong("reportedValue")).isGreaterThanOrEqualTo(42);
        assertThat(result.getLong("stripeCalls")).isZero();
        assertThat(seed.db.getCollection("report_ledger").countDocuments(Filters.eq("meter", meter))).isZero();

        JsonPath backfill = given().auth().oauth2(BillingApi.admin()).contentType("application/json")
                .body(Map.of("price", "price_new", "dryRun", false)).post("/admin/backfill/metered-items").then()
                .statusCode(200).extract().jsonPath();
        assertThat(backfill.getBoolean("dryRun")).isTrue();
        assertThat(backfill.getLong("updated")).isZero();
        assertThat(backfill.getString("explanation")).contains("no Stripe key");
    }
}
