package io.meterline.billing.reporting;

import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.billing.SubscriptionItemDocument;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Customers and subscriptions (as webhook-service keeps them) indexed for reporting: which Stripe customer pays
 * for a subject, and whether that customer has a billable subscription with an item for a meter.
 */
public final class CustomerDirectory {

    private final Map<String, CustomerDocument> bySubject = new HashMap<>();
    private final Map<String, CustomerDocument> byOrganization = new HashMap<>();
    private final Map<String, CustomerDocument> byId = new HashMap<>();
    private final Map<String, List<SubscriptionDocument>> subscriptionsByCustomer = new HashMap<>();

    public CustomerDirectory(Iterable<CustomerDocument> customers, Iterable<SubscriptionDocument> subscriptions) {
        for (CustomerDocument customer : customers) {
            if (customer.deleted || customer.id == null) {
                continue;
            }
            byId.put(customer.id, customer);
            if (customer.subject != null && !customer.subject.isBlank()) {
                bySubject.merge(customer.subject, customer, CustomerDirectory::newer);
            }
            if (customer.organization != null && !customer.organization.isBlank()) {
                byOrganization.merge(customer.organization, customer, CustomerDirectory::organizationCustomer);
            }
        }
        for (SubscriptionDocument subscription : subscriptions) {
            if (subscription.customerId != null) {
                subscriptionsByCustomer.computeIfAbsent(subscription.customerId, k -> new ArrayList<>()).add(subscription);
            }
        }
    }

    /**
     * The organization's own billing customer (no subject) wins over a member's customer that merely names the
     * organization: members without a customer of their own are billed to the organization, not to a colleague.
     */
    private static CustomerDocument organizationCustomer(CustomerDocument a, CustomerDocument b) {
        boolean aOwn = a.subject == null || a.subject.isBlank();
        boolean bOwn = b.subject == null || b.subject.isBlank();
        if (aOwn != bOwn) {
            return aOwn ? a : b;
        }
        return newer(a, b);
    }

    private static CustomerDocument newer(CustomerDocument a, CustomerDocument b) {
        return b.lastEventCreated > a.lastEventCreated ? b : a;
    }

    /** Two paths: the subject's own customer first, then its organization's; null when neither exists. */
    public CustomerDocument customerFor(String subject, String organization) {
        CustomerDocument own = bySubject.get(subject);
        if (own != null) {
            return own;
        }
        return organization == null ? null : byOrganization.get(organization);
    }

    public boolean knows(String customerId) {
        return byId.containsKey(customerId);
    }

    public List<SubscriptionDocument> subscriptionsOf(String customerId) {
        return subscriptionsByCustomer.getOrDefault(customerId, List.of());
    }

    public List<SubscriptionDocument> allSubscriptions() {
        List<SubscriptionDocument> all = new ArrayList<>();
        subscriptionsByCustomer.values().forEach(all::addAll);
        return all;
    }

    /** Whether an item bills the meter: same Stripe meter event name, or the meter's price. */
    public static boolean itemBills(SubscriptionItemDocument item, String stripeEventName, String stripePriceId) {
        return (stripeEventName != null && stripeEventName.equals(item.meterEventName))
                || (stripePriceId != null && stripePriceId.equals(item.priceId));
    }
}
