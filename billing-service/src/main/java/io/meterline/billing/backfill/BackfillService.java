package io.meterline.billing.backfill;

import io.meterline.billing.reporting.CustomerDirectory;
import io.meterline.billing.reporting.ReportSourceRepository;
import io.meterline.billing.meter.MeterRepository;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.billing.stripe.StripeCallException;
import io.meterline.billing.stripe.StripeCatalog;
import io.meterline.billing.stripe.StripeSubscriptions;
import io.meterline.billing.stripesync.StripeSyncReport;
import io.meterline.billing.stripesync.StripeSyncService;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.usage.MeterDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Adds a metered price as an item to every active/trialing subscription that lacks it, so usage that was skipped
 * as {@code no_metered_item} becomes billable. The subscriptions come from Stripe itself (one paginated listing, and
 * one filtered by the price for those that already have it), not from Meterline's copy, so subscriptions whose
 * webhooks were missed are not silently left out; the answer compares both ({@code stripeSync}: missing_locally,
 * stale_locally and what to do). Without a Stripe key it can only count Meterline's copy, and says so.
 * No quantity (Stripe refuses one on metered prices); one idempotency key per (subscription, price), so a retried
 * or repeated backfill never adds the item twice within Stripe's 24-hour key lifetime, and Stripe itself refuses a
 * second item with the same price after that.
 */
@ApplicationScoped
public class BackfillService {

    private static final Logger LOG = Logger.getLogger(BackfillService.class);
    private static final int LISTED = 100;

    private final MeterRepository meters;
    private final ReportSourceRepository sources;
    private final StripeSubscriptions stripe;
    private final StripeSyncService sync;

    public BackfillService(MeterRepository meters, ReportSourceRepository sources, StripeSubscriptions stripe,
            StripeSyncService sync) {
        this.meters = meters;
        this.sources = sources;
        this.stripe = stripe;
        this.sync = sync;
    }

    /** A subscription as the backfill judges it, from Stripe or (without a key) from Meterline's copy. */
    private record Candidate(String id, String customerId, boolean billable, boolean hasItem) {
    }

    public BackfillResponse backfill(BackfillRequest request) {
        if (request == null || (blank(request.meter()) && blank(request.price()))) {
            throw new BillingException(ErrorCode.BACKFILL_TARGET_INVALID, "give \"meter\" (a meter key) or \"price\" (a Stripe price id)");
        }
        MeterDefinition meter = null;
        if (!blank(request.meter())) {
            meter = meters.find(request.meter());
            if (meter == null) {
                throw new BillingException(ErrorCode.METER_NOT_FOUND, "no meter with key " + request.meter());
            }
        }
        String price = !blank(request.price()) ? request.price() : meter.stripePriceId();
        if (blank(price)) {
            throw new BillingException(ErrorCode.BACKFILL_TARGET_INVALID,
                    "meter " + meter.key() + " has no stripePriceId: set it on the meter or give \"price\"");
        }
        String eventName = meter == null ? null : meter.stripeEventName();
        // dry-run unless asked otherwise; and always without a Stripe key
        boolean dryRun = !Boolean.FALSE.equals(request.dryRun()) || !stripe.live();

        CustomerDirectory directory = sources.directory();
        List<Candidate> candidates = new ArrayList<>();
        StripeSyncReport comparison;
        if (sync.live()) {
            List<StripeCatalog.SubscriptionInfo> listed = sync.stripeSubscriptions();
            Set<String> withPrice = sync.subscriptionsWithPrice(price);
            for (StripeCatalog.SubscriptionInfo s : listed) {
                candidates.add(new Candidate(s.id(), s.customerId(), SubscriptionDocument.BILLABLE_STATUSES.contains(s.status()),
                        withPrice.contains(s.id()) || s.priceIds().contains(price)));
            }
            comparison = sync.compare(listed);
        } else {
            for (SubscriptionDocument s : sources.subscriptions()) {
                candidates.add(new Candidate(s.id, s.customerId, s.billable(),
                        s.items.stream().anyMatch(item -> CustomerDirectory.itemBills(item, eventName, price))));
            }
            comparison = sync.compare();
        }

        long active = 0;
        long withCustomer = 0;
        long already = 0;
        List<Candidate> eligible = new ArrayList<>();
        for (Candidate candidate : candidates) {
            if (!candidate.billable()) {
                continue;
            }
            active++;
            if (candidate.customerId() == null || !directory.knows(candidate.customerId())) {
                // Meterline cannot bill usage to a customer it does not know yet (missed customer.* webhooks):
                // counted in stripeSync, fixed by the catch-up, then picked up by the next backfill
                continue;
            }
            withCustomer++;
            if (candidate.hasItem()) {
                already++;
                continue;
            }
            eligible.add(candidate);
        }

        List<BackfillResponse.Added> added = new ArrayList<>();
        List<BackfillResponse.Failure> failures = new ArrayList<>();
        long failed = 0;
        if (!dryRun) {
            for (Candidate subscription : eligible) {
                try {
                    added.add(new BackfillResponse.Added(subscription.id(), stripe.addMeteredItem(subscription.id(), price)));
                } catch (StripeCallException e) {
                    failed++;
                    if (failures.size() < LISTED) {
                        failures.add(new BackfillResponse.Failure(subscription.id(), e.status(), e.code(), e.getMessage()));
                    }
                }
            }
            LOG.infof("backfill of %s: %d eligible, %d updated, %d failed", price, eligible.size(), added.size(), failed);
        }
        List<String> eligibleIds = eligible.stream().limit(LISTED).map(Candidate::id).toList();
        String explanation = explain(dryRun, !stripe.live(), price, candidates.size(), active, withCustomer, already,
                eligible.size(), added.size(), failed);
        if (comparison.stripeChecked() && (comparison.missingLocally() > 0 || comparison.staleLocally() > 0)) {
            explanation += ". Meterline's copy differs from Stripe: " + comparison.missingLocally()
                    + " subscription(s) missing locally, " + comparison.staleLocally() + " stale locally (see stripeSync); "
                    + comparison.action();
        }
        return new BackfillResponse(meter == null ? null : meter.key(), price, eventName, dryRun, candidates.size(), active,
                withCustomer, already, eligible.size(), added.size(), failed, eligibleIds, added, failures, explanation,
                sync.live() ? "stripe" : "meterline_copy", comparison);
    }

    private static String explain(boolean dryRun, boolean noKey, String price, long seen, long active, long withCustomer,
            long already, long eligible, long updated, long failed) {
        if (seen == 0) {
            return noKey ? "no subscriptions are stored (and without a Stripe key Stripe cannot be asked): webhook-service "
                    + "fills them from Stripe's customer.subscription.* events"
                    : "Stripe has no subscriptions at all";
        }
        if (active == 0) {
            return "none of the " + seen + " subscriptions is active or trialing (only those bill usage)";
        }
        if (withCustomer == 0) {
            return "none of the " + active + " active/trialing subscriptions belongs to a Stripe customer Meterline knows "
                    + "(webhook-service stores customers from customer.* events)";
        }
        if (eligible == 0) {
            return "all " + withCustomer + " active/trialing subscriptions with a known customer already have an item for " + price;
        }
        if (dryRun) {
            return eligible + " subscription(s) would get " + price + (noKey ? " (dry-run: no Stripe key configured)" : " (dry-run)");
        }
        return "added " + price + " to " + updated + " of " + eligible + " eligible subscription(s)"
                + (failed > 0 ? "; " + failed + " failed (see failures)" : "") + (already > 0 ? "; " + already + " already had it" : "");
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
