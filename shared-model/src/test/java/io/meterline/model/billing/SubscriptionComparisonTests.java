package io.meterline.model.billing;

import io.meterline.model.billing.SubscriptionComparison.StripeSubscription;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionComparisonTests {

    static SubscriptionDocument local(String id, String status) {
        SubscriptionDocument s = new SubscriptionDocument();
        s.id = id;
        s.customerId = "cus_" + id;
        s.status = status;
        return s;
    }

    @Test
    void subscriptionStripeHasAndMeterlineLacksIsMissingLocally() {
        var result = SubscriptionComparison.compare(List.of(new StripeSubscription("sub_1", "cus_1", "active", 10),
                new StripeSubscription("sub_2", "cus_2", "trialing", 11)), List.of(local("sub_2", "trialing")));
        assertThat(result.missingLocally()).isEqualTo(1);
        assertThat(result.staleLocally()).isZero();
        assertThat(result.missingSamples()).extracting(SubscriptionComparison.Difference::subscription).containsExactly("sub_1");
        assertThat(result.inSync()).isFalse();
        assertThat(result.oldestMissingCreated()).isEqualTo(10);
    }

    @Test
    void copyInAnotherStatusOrNoLongerListedByStripeIsStale() {
        var result = SubscriptionComparison.compare(List.of(new StripeSubscription("sub_1", "cus_1", "active", 10)),
                List.of(local("sub_1", "past_due"), local("sub_gone", "active"), local("sub_ended", "canceled")));
        assertThat(result.missingLocally()).isZero();
        assertThat(result.staleLocally()).isEqualTo(2);
        assertThat(result.staleSamples()).extracting(SubscriptionComparison.Difference::subscription)
                .containsExactlyInAnyOrder("sub_1", "sub_gone");
        assertThat(result.staleSamples()).filteredOn(d -> d.subscription().equals("sub_gone"))
                .extracting(SubscriptionComparison.Difference::stripeStatus).containsOnlyNulls();
    }

    @Test
    void identicalCopiesAreInSyncAndSamplesAreBounded() {
        List<StripeSubscription> many = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            many.add(new StripeSubscription("sub_" + i, "cus", "active", i));
        }
        var result = SubscriptionComparison.compare(many, List.of());
        assertThat(result.missingLocally()).isEqualTo(50);
        assertThat(result.missingSamples()).hasSize(SubscriptionComparison.SAMPLES);
        assertThat(SubscriptionComparison.compare(List.of(new StripeSubscription("a", "c", "active", 1)),
                List.of(local("a", "active"))).inSync()).isTrue();
    }
}
