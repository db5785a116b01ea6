package io.meterline.webhook.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.model.billing.SubscriptionDocument;
import org.junit.jupiter.api.Test;

import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads Stripe's own example objects (fixtures.json). */
class StripeObjectsTests {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode fixture(String name) throws Exception {
        try (InputStream in = StripeObjectsTests.class.getResourceAsStream("/stripe/fixtures.json")) {
            return JSON.readTree(in).path("resources").path(name);
        }
    }

    @Test
    void subscriptionPeriodIsReadFromItemsWhenTheSubscriptionHasNone() throws Exception {
        ObjectNode subscription = fixture("subscription").deepCopy();
        subscription.remove("current_period_start");
        subscription.remove("current_period_end");

        SubscriptionDocument doc = StripeObjects.subscription(subscription);

        assertThat(doc.id).isEqualTo("sub_1Pgc6rB7WZ01zgkWNy0Cn5nw");
        assertThat(doc.customerId).isEqualTo("cus_QXg1o8vcGmoR32");
        assertThat(doc.currentPeriodStart).isEqualTo(1896570518L);
        assertThat(doc.currentPeriodEnd).isEqualTo(976287773L);
        assertThat(doc.items).singleElement().satisfies(item -> {
            assertThat(item.id).isEqualTo("si_QXhVnC2h0Jczwc");
            assertThat(item.priceId).isEqualTo("price_1PgafmB7WZ01zgkW6dKueIc5");
            assertThat(item.meterId).isNull();
        });
    }

    @Test
    void subscriptionPeriodOnTheSubscriptionWinsForOlderApiVersions() throws Exception {
        ObjectNode subscription = fixture("subscription").deepCopy();
        subscription.put("current_period_start", 100L);
        subscription.put("current_period_end", 200L);

        SubscriptionDocument doc = StripeObjects.subscription(subscription);

        assertThat(doc.currentPeriodStart).isEqualTo(100L);
        assertThat(doc.currentPeriodEnd).isEqualTo(200L);
    }

    @Test
    void expandedCustomerIsReadAsItsId() throws Exception {
        ObjectNode subscription = fixture("subscription").deepCopy();
        subscription.set("customer", fixture("customer"));

        assertThat(StripeObjects.subscription(subscription).customerId).isEqualTo("cus_QXg1o8vcGmoR32");
    }

    @Test
    void customerSubjectAndOrganizationComeFromMetadata() throws Exception {
        ObjectNode customer = fixture("customer").deepCopy();
        ((ObjectNode) customer.path("metadata")).put("meterline_subject", "acme-user").put("meterline_organization", "acme");

        var doc = StripeObjects.customer(customer, false);

        assertThat(doc.subject).isEqualTo("acme-user");
        assertThat(doc.organization).isEqualTo("acme");
        assertThat(doc.deleted).isFalse();
    }

    @Test
    void invoiceSubscriptionIsFoundInEitherApiVersionsPlace() throws Exception {
        ObjectNode invoice = fixture("invoice").deepCopy();
        invoice.putNull("subscription");
        ((ObjectNode) invoice.path("parent").path("subscription_details")).put("subscription", "sub_new");
        assertThat(StripeObjects.invoiceSubscription(invoice)).isEqualTo("sub_new");

        invoice.put("subscription", "sub_old");
        assertThat(StripeObjects.invoiceSubscription(invoice)).isEqualTo("sub_old");
    }

    @Test
    void thinEventCreatedIsAnIsoInstant() {
        assertThat(EventEnvelopes.createdSeconds(JSON.getNodeFactory().textNode("1970-01-01T00:01:40.500Z"))).isEqualTo(100L);
        assertThat(EventEnvelopes.createdSeconds(JSON.getNodeFactory().numberNode(1234567890L))).isEqualTo(1234567890L);
    }

    @Test
    void envelopeReadByStreamingEqualsTheEnvelopeOfTheWholeTree() throws Exception {
        ObjectNode subscriptionEvent = JSON.createObjectNode().put("id", "evt_1").put("object", "event")
                .put("api_version", "2025-03-31.basil").put("created", 1700000000L).put("livemode", true)
                .put("type", "customer.subscription.updated");
        subscriptionEvent.putObject("data").put("previous_attributes", "x").set("object", fixture("subscription"));
        ObjectNode thinEvent = JSON.createObjectNode().put("id", "evt_thin").put("type", "v1.billing.meter.no_meter_found")
                .put("created", "2024-09-17T06:20:52.246Z");
        thinEvent.putObject("related_object").put("id", "mtr_1").put("type", "billing.meter").putObject("nested").put("id", "no");
        ObjectNode oddEvent = JSON.createObjectNode().put("id", "evt_odd").put("type", "t").put("api_version", 20);
        oddEvent.putArray("data").add(1);
        for (ObjectNode event : java.util.List.of(subscriptionEvent, thinEvent, oddEvent)) {
            String body = JSON.writeValueAsString(event);
            try (var parser = JSON.createParser(body)) {
                assertThat(EventEnvelopes.parse(parser)).isEqualTo(EventEnvelopes.parse(JSON.readTree(body)));
            }
        }
        for (String notAnObject : java.util.List.of("[1]", "\"evt\"", "{\"id\":\"evt_1\",\"type\":\"t\"", "")) {
            try (var parser = JSON.createParser(notAnObject)) {
                assertThat(EventEnvelopes.parse(parser)).isNull();
            } catch (java.io.IOException malformed) {
                // refused as a whole-tree read refuses it
            }
        }
    }
}
