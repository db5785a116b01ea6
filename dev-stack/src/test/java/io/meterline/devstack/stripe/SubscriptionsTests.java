package io.meterline.devstack.stripe;

import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Customer;
import com.stripe.model.Price;
import com.stripe.model.StripeCollection;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.model.billing.Meter;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.SubscriptionItemCreateParams;
import com.stripe.param.SubscriptionItemListParams;
import com.stripe.param.SubscriptionListParams;
import com.stripe.param.SubscriptionRetrieveParams;
import com.stripe.param.SubscriptionUpdateParams;
import com.stripe.param.billing.MeterCreateParams;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Subscriptions and subscription items at the stand-in, through stripe-java. */
class SubscriptionsTests extends StandInTestBase {

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
}
