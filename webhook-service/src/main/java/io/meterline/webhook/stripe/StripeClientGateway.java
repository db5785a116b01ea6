package io.meterline.webhook.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Event;
import com.stripe.model.Subscription;
import com.stripe.model.billing.Meter;
import com.stripe.net.ApiResource;
import com.stripe.param.EventListParams;
import com.stripe.param.SubscriptionListParams;
import io.meterline.webhook.config.WebhookConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** {@link StripeGateway} over stripe-java's {@link StripeClient}, built once from config (API base configurable). */
@ApplicationScoped
public class StripeClientGateway implements StripeGateway {

    private static final Logger LOG = Logger.getLogger(StripeClientGateway.class);

    private final StripeClient client;
    private final Map<String, Optional<String>> meterEventNames = new ConcurrentHashMap<>();

    public StripeClientGateway(WebhookConfig config) {
        this.client = config.stripe().apiKey().filter(key -> !key.isBlank())
                .map(key -> StripeClient.builder()
                        .setApiKey(key)
                        .setApiBase(config.stripe().apiBase())
                        .setConnectTimeout((int) config.stripe().timeout().toMillis())
                        .setReadTimeout((int) config.stripe().timeout().toMillis())
                        // our own retry loop (backoff, dead state) owns retries; one quick SDK retry smooths blips
                        .setMaxNetworkRetries(1)
                        .build())
                .orElse(null);
        if (client == null) {
            LOG.warn("webhook.stripe.api-key is not set: meter names come from price metadata only, catch-up is off");
        }
    }

    @Override
    public boolean configured() {
        return client != null;
    }

    @Override
    public Optional<String> meterEventName(String meterId) {
        Optional<String> cached = meterEventNames.get(meterId);
        if (cached != null) {
            return cached;
        }
        try {
            Meter meter = requireClient().v1().billing().meters().retrieve(meterId);
            Optional<String> name = Optional.ofNullable(meter.getEventName());
            meterEventNames.put(meterId, name);
            return name;
        } catch (StripeException e) {
            throw translate("retrieve meter " + meterId, e);
        }
    }

    @Override
    public Optional<String> subscriptionJson(String subscriptionId) {
        return getRaw("/v1/subscriptions/" + subscriptionId);
    }

    @Override
    public Optional<String> customerJson(String customerId) {
        return getRaw("/v1/customers/" + customerId);
    }

    @Override
    public Optional<String> v2EventJson(String eventId) {
        return getRaw("/v2/core/events/" + eventId);
    }

    @Override
    public void listEventsSince(long createdGte, Consumer<ListedEvent> sink) {
        EventListParams params = EventListParams.builder()
                .setCreated(EventListParams.Created.builder().setGte(createdGte).build())
                .setLimit(100L)
                .build();
        try {
            for (Event event : requireClient().v1().events().list(params).autoPagingIterable()) {
                String json = event.getRawJsonObject() != null
                        ? event.getRawJsonObject().toString() : ApiResource.GSON.toJson(event);
                sink.accept(new ListedEvent(event.getId(), json));
            }
        } catch (StripeException e) {
            throw translate("list events", e);
        } catch (RuntimeException e) {
            // auto-paging wraps a failed page fetch in a RuntimeException
            if (e.getCause() instanceof StripeException stripe) {
                throw translate("list events", stripe);
            }
            throw e;
        }
    }

    @Override
    public void listSubscriptions(Consumer<ListedSubscription> sink) {
        SubscriptionListParams params = SubscriptionListParams.builder().setLimit(100L).build();
        try {
            for (Subscription s : requireClient().v1().subscriptions().list(params).autoPagingIterable()) {
                sink.accept(new ListedSubscription(s.getId(), s.getCustomer(), s.getStatus(),
                        s.getCreated() == null ? 0 : s.getCreated()));
            }
        } catch (StripeException e) {
            throw translate("list subscriptions", e);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof StripeException stripe) {
                throw translate("list subscriptions", stripe);
            }
            throw e;
        }
    }

    private Optional<String> getRaw(String path) {
        try {
            return Optional.of(requireClient().rawRequest(ApiResource.RequestMethod.GET, path, null).body());
        } catch (StripeException e) {
            if (Integer.valueOf(404).equals(e.getStatusCode())) {
                return Optional.empty();
            }
            throw translate("GET " + path, e);
        }
    }

    private StripeClient requireClient() {
        if (client == null) {
            throw new StripeGatewayException("webhook.stripe.api-key is not configured", null, null);
        }
        return client;
    }

    private static StripeGatewayException translate(String what, StripeException e) {
        return new StripeGatewayException("Stripe " + what + " failed: " + e.getMessage(), e.getStatusCode(), e);
    }
}
