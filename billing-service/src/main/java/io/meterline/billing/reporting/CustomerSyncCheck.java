package io.meterline.billing.reporting;

import io.meterline.billing.stripe.StripeCallException;
import io.meterline.billing.stripe.StripeCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Tells a free-tier subject from one whose Stripe customer Meterline never heard of (missed {@code customer.*}
 * webhooks): windows skipped as {@code no_stripe_customer} whose subject or organization has a Stripe customer
 * (by {@code metadata.meterline_subject} / {@code meterline_organization}, found by listing Stripe's customers once
 * per run, and only when such skips exist) are counted as {@code customer_not_synced} instead.
 */
@ApplicationScoped
public class CustomerSyncCheck {

    private static final Logger LOG = Logger.getLogger(CustomerSyncCheck.class);
    private static final int SAMPLES = 20;

    private final StripeCatalog stripe;

    public CustomerSyncCheck(StripeCatalog stripe) {
        this.stripe = stripe;
    }

    /** Windows skipped for want of a customer, by (subject, organization). */
    static final class Tally {
        private final Map<Key, Long> counts = new HashMap<>();

        void add(String subject, String organization) {
            counts.merge(new Key(subject, organization), 1L, Long::sum);
        }

        boolean isEmpty() {
            return counts.isEmpty();
        }
    }

    private record Key(String subject, String organization) {
    }

    /** Moves the counts of subjects Stripe has a customer for from {@code no_stripe_customer} to {@code customer_not_synced}. */
    void reclassify(ReportRun run, Tally tally) {
        if (tally.isEmpty() || run.dryRun || !stripe.live()) {
            return;
        }
        Set<String> subjects = new HashSet<>();
        Set<String> organizations = new HashSet<>();
        try {
            stripe.customers(customer -> {
                if (customer.subject() != null) {
                    subjects.add(customer.subject());
                }
                if (customer.organization() != null) {
                    organizations.add(customer.organization());
                }
            });
        } catch (StripeCallException e) {
            LOG.warnf("could not list Stripe customers to tell missed customers from free-tier ones: %s", e.getMessage());
            return;
        }
        tally.counts.forEach((key, n) -> {
            boolean known = subjects.contains(key.subject())
                    || (key.organization() != null && organizations.contains(key.organization()));
            if (known) {
                run.moveSkips(SkipReason.NO_STRIPE_CUSTOMER, SkipReason.CUSTOMER_NOT_SYNCED, n);
                if (run.customersNotSynced.size() < SAMPLES && !run.customersNotSynced.contains(key.subject())) {
                    run.customersNotSynced.add(Objects.requireNonNullElse(key.subject(), key.organization()));
                }
            }
        });
        if (!run.customersNotSynced.isEmpty()) {
            LOG.warnf("report run %s: Stripe has customers for subjects Meterline does not know (missed webhooks), e.g. %s",
                    run.id, run.customersNotSynced);
        }
    }
}
