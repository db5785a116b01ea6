package io.meterline.billing.balance;

import io.meterline.billing.reporting.CustomerDirectory;
import io.meterline.billing.reporting.ReportSourceRepository;
import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.usage.MeterDefinition;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Locale;
import java.util.Set;

/**
 * Customers and subscriptions as webhook-service keeps them, in memory for entitlements: whether a customer's Stripe
 * subscription for a meter is no longer active. Re-read every {@code billing.balance.subscription-refresh} (1 s).
 * See docs/decisions/0115.
 */
@Startup
@ApplicationScoped
public class SubscriptionStatusCache {

    private static final Logger LOG = Logger.getLogger(SubscriptionStatusCache.class);

    /**
     * Statuses under which usage may still start: billed now ({@code active}, {@code trialing}), still invoiced while
     * Stripe retries ({@code past_due}), or first payment pending ({@code incomplete}, resolves within 23 h). Every
     * other status ({@code canceled}, {@code unpaid}, {@code incomplete_expired}, {@code paused}, unknown) is inactive.
     */
    static final Set<String> USABLE = Set.of("active", "trialing", "past_due", "incomplete");

    private final ReportSourceRepository source;
    private volatile CustomerDirectory directory;

    public SubscriptionStatusCache(ReportSourceRepository source) {
        this.source = source;
        this.directory = new CustomerDirectory(java.util.List.of(), java.util.List.of());
        refresh();
    }

    @Scheduled(every = "${billing.balance.subscription-refresh:PT1S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            directory = source.directory();
        } catch (RuntimeException e) {
            LOG.warnf("re-reading subscriptions for entitlements failed (%s); keeping the previous ones", e.toString());
        }
    }

    /**
     * The status of the customer's subscription for {@code meter} when it has one (an item billing the meter) and
     * none of them is usable; null when usage may start as far as Stripe subscriptions go (usable, or no
     * subscription for the meter at all: a prepaid-only customer).
     */
    public String inactiveStatus(String customer, MeterDefinition meter) {
        if (meter == null) {
            return null;
        }
        CustomerDirectory current = directory;
        CustomerDocument stripeCustomer = current.customerFor(customer, null);
        if (stripeCustomer == null) {
            return null;
        }
        String inactive = null;
        for (SubscriptionDocument subscription : current.subscriptionsOf(stripeCustomer.id)) {
            boolean forMeter = subscription.items.stream()
                    .anyMatch(item -> CustomerDirectory.itemBills(item, meter.stripeEventName(), meter.stripePriceId()));
            if (!forMeter) {
                continue;
            }
            String status = subscription.status == null ? "unknown" : subscription.status.toLowerCase(Locale.ROOT);
            if (USABLE.contains(status)) {
                return null;
            }
            inactive = status;
        }
        return inactive;
    }
}
