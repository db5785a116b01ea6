package io.meterline.webhook.service;

import io.meterline.model.billing.SubscriptionComparison;
import io.meterline.webhook.config.WebhookConfig;
import io.meterline.webhook.repository.SubscriptionRepository;
import io.meterline.webhook.stripe.StripeGateway;
import io.meterline.webhook.stripe.StripeGatewayException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compares Stripe's subscriptions with the stored ones ({@link SubscriptionComparison}) after every catch-up and
 * periodically. A subscription missing here although Stripe created it longer ago than
 * {@code webhook.sync-check.degraded-after} means webhooks were lost and catch-up did not bring them: readiness
 * says {@code DEGRADED} (still UP) and gauge {@code webhook.stripe_sync.missing_locally_overdue} is non-zero.
 */
@ApplicationScoped
public class StripeSyncCheck {

    private static final Logger LOG = Logger.getLogger(StripeSyncCheck.class);

    private final StripeGateway stripe;
    private final SubscriptionRepository subscriptions;
    private final Duration degradedAfter;
    private final AtomicLong missingGauge = new AtomicLong();
    private final AtomicLong staleGauge = new AtomicLong();
    private final AtomicLong overdueGauge = new AtomicLong();
    private volatile Checked last;

    public StripeSyncCheck(StripeGateway stripe, SubscriptionRepository subscriptions, WebhookConfig config,
            MeterRegistry registry) {
        this.stripe = stripe;
        this.subscriptions = subscriptions;
        this.degradedAfter = config.syncCheck().degradedAfter();
        // strong references: a weakly held gauge whose holder was replaced (an application restart in the same JVM)
        // reads NaN, which the Prometheus registry leaves out of /q/metrics
        gauge(registry, "webhook.stripe_sync.missing_locally", missingGauge);
        gauge(registry, "webhook.stripe_sync.stale_locally", staleGauge);
        gauge(registry, "webhook.stripe_sync.missing_locally_overdue", overdueGauge);
    }

    private static void gauge(MeterRegistry registry, String name, AtomicLong value) {
        Gauge.builder(name, value, AtomicLong::get).strongReference(true).register(registry);
    }

    /** One comparison and when it ran. */
    public record Checked(Instant at, SubscriptionComparison.Result result, boolean degraded) {
    }

    public boolean available() {
        return stripe.configured();
    }

    /** Compares now; null without an API key or when Stripe cannot be listed (logged, the last result stays). */
    public Checked run() {
        if (!stripe.configured()) {
            return null;
        }
        List<SubscriptionComparison.StripeSubscription> listed = new ArrayList<>();
        try {
            stripe.listSubscriptions(s -> listed.add(
                    new SubscriptionComparison.StripeSubscription(s.id(), s.customerId(), s.status(), s.created())));
        } catch (StripeGatewayException e) {
            LOG.warnf("could not list Stripe subscriptions to compare with the stored ones: %s", e.getMessage());
            return null;
        }
        SubscriptionComparison.Result result = SubscriptionComparison.compare(listed, subscriptions.all());
        Instant now = Instant.now();
        boolean degraded = result.missingLocally() > 0
                && result.oldestMissingCreated() <= now.minus(degradedAfter).getEpochSecond();
        missingGauge.set(result.missingLocally());
        staleGauge.set(result.staleLocally());
        overdueGauge.set(degraded ? result.missingLocally() : 0);
        if (!result.inSync()) {
            LOG.warnf("stored subscriptions differ from Stripe's: %d missing, %d stale%s", result.missingLocally(),
                    result.staleLocally(), degraded ? " (missing for longer than " + degradedAfter + ": DEGRADED)" : "");
        }
        Checked checked = new Checked(now, result, degraded);
        last = checked;
        return checked;
    }

    /** The latest comparison, or null before the first. */
    public Checked last() {
        return last;
    }
}
