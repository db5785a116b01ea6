package io.meterline.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.exception.TemporarySessionExpiredException;
import com.stripe.model.v2.billing.MeterEventSession;
import com.stripe.param.v2.billing.MeterEventStreamCreateParams;
import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.config.StripeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;

/**
 * The v2 meter event stream on stripe-java: a meter event session is created with the secret key on the API base;
 * its {@code authentication_token} authenticates stream requests to the meter events base, and a new session is
 * taken {@code renew-before} ahead of {@code expires_at}, or at once when Stripe says the session expired.
 */
@Singleton
public class StripeJavaMeterStream implements StripeMeterStream {

    private static final Logger LOG = Logger.getLogger(StripeJavaMeterStream.class);

    /** A live session and the client that posts with its token. */
    private record Session(String id, Instant renewAt, StripeClient stream) {
    }

    private final Instance<StripeClient> client;
    private final CountingHttpClient http;
    private final StripeConfig config;
    private final StripeCaller caller;
    private Session session;

    public StripeJavaMeterStream(Instance<StripeClient> client, CountingHttpClient http, BillingConfig config,
            MeterRegistry registry) {
        this.client = client;
        this.http = http;
        this.config = config.stripe();
        // the stream has its own rate (requests of up to 100 events), not the per-event API's
        this.caller = new StripeCaller(this.config, registry, this.config.meterEventStream().rateLimit());
    }

    @Override
    public void send(List<StripeMeterGateway.MeterEvent> events) throws StripeCallException {
        if (events.size() > MAX_EVENTS) {
            throw new IllegalArgumentException("a stream request takes at most " + MAX_EVENTS + " events");
        }
        MeterEventStreamCreateParams.Builder builder = MeterEventStreamCreateParams.builder();
        for (StripeMeterGateway.MeterEvent event : events) {
            builder.addEvent(MeterEventStreamCreateParams.Event.builder()
                    .setEventName(event.eventName())
                    .setIdentifier(event.identifier())
                    .setTimestamp(Instant.ofEpochSecond(event.timestamp()))
                    .putPayload("stripe_customer_id", event.customerId())
                    .putPayload("value", Long.toString(event.value()))
                    .build());
        }
        MeterEventStreamCreateParams params = builder.build();
        caller.call("meter_event_stream", events.size() + " meter events from " + events.get(0).identifier(), () -> {
            Session current = session();
            try {
                current.stream().v2().billing().meterEventStream().create(params);
            } catch (TemporarySessionExpiredException e) {
                // expired before we renewed it (clock skew, a long pause): once more with a new session
                expired(current);
                session().stream().v2().billing().meterEventStream().create(params);
            }
            return null;
        });
    }

    private synchronized Session session() throws StripeException {
        if (session == null || !Instant.now().isBefore(session.renewAt())) {
            MeterEventSession created = client.get().v2().billing().meterEventSession().create();
            StripeClient stream = StripeClient.builder()
                    .setApiKey(created.getAuthenticationToken())
                    .setMeterEventsBase(config.meterEventStream().base())
                    .setMaxNetworkRetries(config.networkRetries())
                    .setConnectTimeout((int) config.connectTimeout().toMillis())
                    .setReadTimeout((int) config.readTimeout().toMillis())
                    .setHttpClient(http)
                    .build();
            session = new Session(created.getId(), created.getExpiresAt().minus(config.meterEventStream().renewBefore()),
                    stream);
            LOG.debugf("meter event session %s, renewed after %s", created.getId(), session.renewAt());
        }
        return session;
    }

    private synchronized void expired(Session stale) {
        if (session == stale) {
            session = null;
        }
    }
}
