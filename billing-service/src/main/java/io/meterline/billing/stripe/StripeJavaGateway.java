package io.meterline.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.model.SubscriptionItem;
import com.stripe.net.RequestOptions;
import com.stripe.param.SubscriptionItemCreateParams;
import com.stripe.param.billing.MeterEventCreateParams;
import io.meterline.billing.config.BillingConfig;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

/** The Stripe gateways on stripe-java. */
@Singleton
public class StripeJavaGateway implements StripeMeterGateway, StripeSubscriptions {

    private final Instance<StripeClient> client;
    private final StripeCaller caller;
    private final CountingHttpClient http;
    private final BillingConfig config;

    public StripeJavaGateway(Instance<StripeClient> client, StripeCaller caller, CountingHttpClient http, BillingConfig config) {
        this.client = client;
        this.caller = caller;
        this.http = http;
        this.config = config;
    }

    @Override
    public boolean live() {
        return config.stripe().apiKey().filter(k -> !k.isBlank()).isPresent();
    }

    @Override
    public String apiBase() {
        return config.stripe().apiBase();
    }

    @Override
    public long calls() {
        return http.calls();
    }

    @Override
    public Outcome send(MeterEvent event) throws StripeCallException {
        MeterEventCreateParams params = MeterEventCreateParams.builder()
                .setEventName(event.eventName())
                .setIdentifier(event.identifier())
                .setTimestamp(event.timestamp())
                .putPayload("stripe_customer_id", event.customerId())
                .putPayload("value", Long.toString(event.value()))
                .build();
        // same key for every attempt: a retry after a lost answer replays Stripe's stored answer
        RequestOptions options = RequestOptions.builder().setIdempotencyKey("meterline-" + event.identifier()).build();
        try {
            caller.call("meter_event", "meter event " + event.identifier(),
                    () -> client.get().v1().billing().meterEvents().create(params, options));
            return Outcome.ACCEPTED;
        } catch (StripeCallException e) {
            if (e.kind() == StripeCallException.Kind.DUPLICATE) {
                return Outcome.DUPLICATE;
            }
            throw e;
        }
    }

    @Override
    public String addMeteredItem(String subscriptionId, String priceId) throws StripeCallException {
        SubscriptionItemCreateParams params = SubscriptionItemCreateParams.builder()
                .setSubscription(subscriptionId)
                .setPrice(priceId)
                .build();
        RequestOptions options = RequestOptions.builder()
                .setIdempotencyKey("meterline-backfill-" + subscriptionId + "-" + priceId).build();
        SubscriptionItem item = caller.call("subscription_item", "add " + priceId + " to " + subscriptionId,
                () -> client.get().v1().subscriptionItems().create(params, options));
        return item.getId();
    }
}
