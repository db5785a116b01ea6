package io.meterline.billing.backfill;

import io.meterline.billing.reporting.CustomerDirectory;
import io.meterline.billing.reporting.ReportSourceRepository;
import io.meterline.billing.meter.MeterRepository;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.billing.stripe.StripeCallException;
import io.meterline.billing.stripe.StripeSubscriptions;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.usage.MeterDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * Adds a metered price as an item to every active/trialing subscription (as webhook-service keeps them in
 * MongoDB) whose customer is known and which lacks an item for it, so usage that was skipped as
 * {@code no_metered_item} becomes billable. No quantity (Stripe refuses one on metered prices); one idempotency
 * key per (subscription, price), so a retried or repeated backfill never adds the item twice within Stripe's
 * 24-hour key lifetime, and Stripe itself refuses a second item with the same price after that.
 */
@ApplicationScoped
public class BackfillService {

    private static final Logger LOG = Logger.getLogger(BackfillService.class);
    private static final int LISTED = 100;

    private final MeterRepository meters;
    private final ReportSourceRepository sources;
    private final StripeSubscriptions stripe;

    public BackfillService(MeterRepository meters, ReportSourceRepository sources, StripeSubscriptions stripe) {
        this.meters = meters;
        this.sources = sources;
        this.stripe = stripe;
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
        long seen = 0;
        long active = 0;
        long withCustomer = 0;
        long already = 0;
        List<SubscriptionDocument> eligible = new ArrayList<>();
        for (SubscriptionDocument subscription : directory.allSubscriptions()) {
            seen++;
            if (!subscription.billable()) {
                continue;
            }
            active++;
            if (!directory.knows(subscription.customerId)) {
                continue;
            }
            withCustomer++;
            if (subscription.items.stream().anyMatch(item -> CustomerDirectory.itemBills(item, eventName, price))) {
                already++;
                continue;
            }
            eligible.add(subscription);
        }
        long orphanSubscriptions = sources.subscriptions().stream().filter(s -> s.customerId == null).count();
        seen += orphanSubscriptions;

        List<BackfillResponse.Added> added = new ArrayList<>();
        List<BackfillResponse.Failure> failures = new ArrayList<>();
        long failed = 0;
        if (!dryRun) {
            for (SubscriptionDocument subscription : eligible) {
                try {
                    added.add(new BackfillResponse.Added(subscription.id, stripe.addMeteredItem(subscription.id, price)));
                } catch (StripeCallException e) {
                    failed++;
                    if (failures.size() < LISTED) {
                        failures.add(new BackfillResponse.Failure(subscription.id, e.status(), e.code(), e.getMessage()));
                    }
                }
            }
            LOG.infof("backfill of %s: %d eligible, %d updated, %d failed", price, eligible.size(), added.size(), failed);
        }
        List<String> eligibleIds = eligible.stream().limit(LISTED).map(s -> s.id).toList();
        return new BackfillResponse(meter == null ? null : meter.key(), price, eventName, dryRun, seen, active,
                withCustomer, already, eligible.size(), added.size(), failed, eligibleIds, added, failures,
                explain(dryRun, !stripe.live(), price, seen, active, withCustomer, already, eligible.size(), added.size(), failed));
    }

    private static String explain(boolean dryRun, boolean noKey, String price, long seen, long active, long withCustomer,
            long already, long eligible, long updated, long failed) {
        if (seen == 0) {
            return "no subscriptions are stored: webhook-service fills them from Stripe's customer.subscription.* events";
        }
        if (active == 0) {
            return "none of the " + seen + " subscriptions is active or trialing (only those bill usage)";
        }
        if (withCustomer == 0) {
            return "none of the " + active + " active/trialing subscriptions belongs to a known Stripe customer "
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
