package io.meterline.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.model.Customer;
import com.stripe.model.HasId;
import com.stripe.model.StripeCollection;
import com.stripe.model.Subscription;
import com.stripe.model.billing.Meter;
import com.stripe.param.CustomerListParams;
import com.stripe.param.SubscriptionListParams;
import com.stripe.param.billing.MeterListParams;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/** {@link StripeCatalog} on stripe-java: explicit pages of 100, each through {@link StripeCaller} (rate limit, retries). */
@Singleton
public class StripeJavaCatalog implements StripeCatalog {

    private static final long PAGE = 100L;

    private final Instance<StripeClient> client;
    private final StripeCaller caller;
    private final StripeJavaGateway gateway;

    public StripeJavaCatalog(Instance<StripeClient> client, StripeCaller caller, StripeJavaGateway gateway) {
        this.client = client;
        this.caller = caller;
        this.gateway = gateway;
    }

    @Override
    public boolean live() {
        return gateway.live();
    }

    @Override
    public List<MeterInfo> meters() throws StripeCallException {
        List<MeterInfo> meters = new ArrayList<>();
        paginate("list billing meters", after -> {
            MeterListParams.Builder params = MeterListParams.builder().setLimit(PAGE);
            if (after != null) {
                params.setStartingAfter(after);
            }
            return () -> client.get().v1().billing().meters().list(params.build());
        }, (Meter m) -> meters.add(new MeterInfo(m.getId(), m.getEventName(),
                m.getDefaultAggregation() == null ? null : m.getDefaultAggregation().getFormula(),
                m.getCustomerMapping() == null ? null : m.getCustomerMapping().getType(),
                m.getCustomerMapping() == null ? null : m.getCustomerMapping().getEventPayloadKey(),
                m.getValueSettings() == null ? null : m.getValueSettings().getEventPayloadKey(), m.getStatus())));
        return meters;
    }

    @Override
    public void subscriptions(String status, String price, Consumer<SubscriptionInfo> sink) throws StripeCallException {
        SubscriptionListParams.Status statusParam = status == null ? null
                : SubscriptionListParams.Status.valueOf(status.toUpperCase(Locale.ROOT));
        paginate("list subscriptions (" + (status == null ? "not ended" : status) + ")", after -> {
            SubscriptionListParams.Builder params = SubscriptionListParams.builder().setLimit(PAGE);
            if (statusParam != null) {
                params.setStatus(statusParam);
            }
            if (price != null) {
                params.setPrice(price);
            }
            if (after != null) {
                params.setStartingAfter(after);
            }
            return () -> client.get().v1().subscriptions().list(params.build());
        }, (Subscription s) -> sink.accept(info(s)));
    }

    @Override
    public Optional<SubscriptionInfo> subscription(String id) throws StripeCallException {
        try {
            return Optional.of(info(caller.call("retrieve subscription " + id, () -> client.get().v1().subscriptions().retrieve(id))));
        } catch (StripeCallException e) {
            if (Integer.valueOf(404).equals(e.status())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void customers(Consumer<CustomerInfo> sink) throws StripeCallException {
        paginate("list customers", after -> {
            CustomerListParams.Builder params = CustomerListParams.builder().setLimit(PAGE);
            if (after != null) {
                params.setStartingAfter(after);
            }
            return () -> client.get().v1().customers().list(params.build());
        }, (Customer c) -> {
            Map<String, String> metadata = c.getMetadata() == null ? Map.of() : c.getMetadata();
            sink.accept(new CustomerInfo(c.getId(), metadata.get("meterline_subject"), metadata.get("meterline_organization"),
                    c.getCreated() == null ? 0 : c.getCreated()));
        });
    }

    private static SubscriptionInfo info(Subscription s) {
        List<String> prices = new ArrayList<>();
        if (s.getItems() != null) {
            s.getItems().getData().forEach(item -> prices.add(item.getPrice().getId()));
        }
        return new SubscriptionInfo(s.getId(), s.getCustomer(), s.getStatus(), prices, s.getCreated() == null ? 0 : s.getCreated());
    }

    private <T extends HasId, C extends StripeCollection<T>> void paginate(String what,
            Function<String, StripeCaller.Call<C>> page, Consumer<T> sink) throws StripeCallException {
        String after = null;
        while (true) {
            C collection = caller.call(what, page.apply(after));
            List<T> data = collection.getData();
            data.forEach(sink);
            if (!Boolean.TRUE.equals(collection.getHasMore()) || data.isEmpty()) {
                return;
            }
            after = data.get(data.size() - 1).getId();
        }
    }
}
