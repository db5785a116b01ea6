package io.meterline.billing.stripesync;

import io.meterline.billing.reporting.ReportSourceRepository;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.billing.stripe.StripeCallException;
import io.meterline.billing.stripe.StripeCatalog;
import io.meterline.model.billing.SubscriptionComparison;
import io.meterline.model.billing.SubscriptionComparison.StripeSubscription;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Asks Stripe which subscriptions exist (paginated, one listing) and compares them with what webhook-service
 * stored ({@link SubscriptionComparison}). The answer to "why does the backfill select nobody" and "why is this
 * customer skipped": it does not rely on the copy it is checking.
 */
@ApplicationScoped
public class StripeSyncService {

    private static final Logger LOG = Logger.getLogger(StripeSyncService.class);

    /** What an operator runs to bring Meterline's copy up to date. */
    public static final String CATCH_UP = "POST /admin/webhook-events/catch-up on webhook-service (role admin) stores "
            + "the Stripe events it missed (last 30 days) and applies them; its hourly catch-up job does the same";

    private final StripeCatalog stripe;
    private final ReportSourceRepository sources;
    private final AtomicLong missingGauge = new AtomicLong();
    private final AtomicLong staleGauge = new AtomicLong();

    public StripeSyncService(StripeCatalog stripe, ReportSourceRepository sources, MeterRegistry registry) {
        this.stripe = stripe;
        this.sources = sources;
        registry.gauge("meterline.billing.stripe.sync.missing.locally", missingGauge);
        registry.gauge("meterline.billing.stripe.sync.stale.locally", staleGauge);
    }

    public boolean live() {
        return stripe.live();
    }

    /** Every Stripe subscription, ended ones included (the backfill counts them too); one paginated listing. */
    public List<StripeCatalog.SubscriptionInfo> stripeSubscriptions() {
        return list("all", null);
    }

    /** Ids of the Stripe subscriptions (any status) that have an item for {@code price}. */
    public java.util.Set<String> subscriptionsWithPrice(String price) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        list("all", price).forEach(s -> ids.add(s.id()));
        return ids;
    }

    private List<StripeCatalog.SubscriptionInfo> list(String status, String price) {
        List<StripeCatalog.SubscriptionInfo> listed = new ArrayList<>();
        try {
            stripe.subscriptions(status, price, listed::add);
        } catch (StripeCallException e) {
            throw new BillingException(ErrorCode.STRIPE_UNAVAILABLE, "could not list Stripe subscriptions: " + e.getMessage());
        }
        return listed;
    }

    /** Compares now; without a Stripe key it says it could not. */
    public StripeSyncReport compare() {
        if (!stripe.live()) {
            return new StripeSyncReport(Instant.now(), false, 0, sources.subscriptions().size(), 0, 0, List.of(), List.of(),
                    "no Stripe key (billing.stripe.api-key): Meterline's copy cannot be compared with Stripe");
        }
        return compare(stripeSubscriptions());
    }

    /** Compares a listing of Stripe's subscriptions (ended ones are left out) with Meterline's copies. */
    public StripeSyncReport compare(List<StripeCatalog.SubscriptionInfo> listed) {
        List<StripeSubscription> stripeLive = new ArrayList<>(listed.size());
        for (StripeCatalog.SubscriptionInfo s : listed) {
            if (!SubscriptionComparison.ENDED.contains(s.status())) {
                stripeLive.add(new StripeSubscription(s.id(), s.customerId(), s.status(), s.created()));
            }
        }
        SubscriptionComparison.Result result = SubscriptionComparison.compare(stripeLive, sources.subscriptions());
        missingGauge.set(result.missingLocally());
        staleGauge.set(result.staleLocally());
        if (!result.inSync()) {
            LOG.warnf("Meterline's subscriptions differ from Stripe's: %d missing locally, %d stale locally",
                    result.missingLocally(), result.staleLocally());
        }
        String action = result.inSync() ? "none: Meterline's subscriptions match Stripe's"
                : "Meterline missed webhooks: " + CATCH_UP + ". Then GET /admin/stripe-sync again; a difference older "
                        + "than Stripe's 30 days of events needs the subscription touched in Stripe (any update is "
                        + "delivered again as customer.subscription.updated)";
        return new StripeSyncReport(Instant.now(), true, result.stripeSubscriptions(), result.localSubscriptions(),
                result.missingLocally(), result.staleLocally(), result.missingSamples(), result.staleSamples(), action);
    }
}
