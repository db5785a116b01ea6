package io.meterline.cli;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.Price;
import com.stripe.model.Subscription;
import com.stripe.model.billing.Meter;
import com.stripe.model.billing.MeterEventSummary;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.billing.MeterCreateParams;
import com.stripe.param.billing.MeterEventSummaryListParams;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's Stripe account, set up the way a Stripe user would (through stripe-java, here pointed at the local
 * stand-in): billing meters, metered prices, customers tagged with the Meterline subject or organization they
 * pay for, and subscriptions.
 */
final class DemoStripeAccount {

    /** Meterline meter key → Stripe meter event name. */
    static final Map<String, String> EVENT_NAMES = Map.of(
            "call-minutes", "call_minutes", "ai-suggestions", "ai_suggestions", "active-sensors", "active_sensors");

    private final StripeClient stripe;
    final Map<String, Meter> meters = new LinkedHashMap<>();
    final Map<String, Price> prices = new LinkedHashMap<>();
    final Map<String, Customer> customers = new LinkedHashMap<>();
    final Map<String, Subscription> subscriptions = new LinkedHashMap<>();

    DemoStripeAccount(String apiBase, String apiKey) {
        this.stripe = StripeClient.builder().setApiKey(apiKey).setApiBase(apiBase).build();
    }

    void setUp() throws StripeException {
        meter("call-minutes", MeterCreateParams.DefaultAggregation.Formula.SUM, 2L);
        meter("ai-suggestions", MeterCreateParams.DefaultAggregation.Formula.SUM, 1L);
        meter("active-sensors", MeterCreateParams.DefaultAggregation.Formula.LAST, 50L);
        // acme pays for itself; globex's usage is billed to its parent organization's account
        customers.put("acme", stripe.v1().customers().create(CustomerCreateParams.builder()
                .setName("Acme Corp").setEmail("billing@acme.example").putMetadata("meterline_subject", "acme").build()));
        customers.put("globex-group", stripe.v1().customers().create(CustomerCreateParams.builder()
                .setName("Globex Group").setEmail("ap@globex.example")
                .putMetadata("meterline_organization", "globex-group").build()));
        subscriptions.put("acme", subscribe(customers.get("acme"), List.of("call-minutes", "ai-suggestions", "active-sensors")));
        // globex's plan has no AI suggestions item: that usage would never be billed, so Meterline skips it
        subscriptions.put("globex-group", subscribe(customers.get("globex-group"), List.of("call-minutes", "active-sensors")));
    }

    private void meter(String key, MeterCreateParams.DefaultAggregation.Formula formula, long unitAmountCents)
            throws StripeException {
        Meter meter = stripe.v1().billing().meters().create(MeterCreateParams.builder()
                .setDisplayName(key).setEventName(EVENT_NAMES.get(key))
                .setDefaultAggregation(MeterCreateParams.DefaultAggregation.builder().setFormula(formula).build())
                .build());
        meters.put(key, meter);
        prices.put(key, stripe.v1().prices().create(PriceCreateParams.builder()
                .setCurrency("usd").setUnitAmount(unitAmountCents)
                .setProductData(PriceCreateParams.ProductData.builder().setName(key).build())
                .setRecurring(PriceCreateParams.Recurring.builder()
                        .setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                        .setUsageType(PriceCreateParams.Recurring.UsageType.METERED)
                        .setMeter(meter.getId()).build())
                .build()));
    }

    private Subscription subscribe(Customer customer, List<String> meterKeys) throws StripeException {
        SubscriptionCreateParams.Builder params = SubscriptionCreateParams.builder().setCustomer(customer.getId());
        for (String key : meterKeys) {
            params.addItem(SubscriptionCreateParams.Item.builder().setPrice(prices.get(key).getId()).build());
        }
        return stripe.v1().subscriptions().create(params.build());
    }

    /** What Stripe holds for a customer and meter over [start, end), summed over hourly summaries. */
    double stripeTotal(String meterKey, String customerId, long startEpochSecond, long endEpochSecond)
            throws StripeException {
        double total = 0;
        for (MeterEventSummary summary : stripe.v1().billing().meters().eventSummaries().list(
                meters.get(meterKey).getId(), MeterEventSummaryListParams.builder().setCustomer(customerId)
                        .setStartTime(startEpochSecond).setEndTime(endEpochSecond)
                        .setValueGroupingWindow(MeterEventSummaryListParams.ValueGroupingWindow.HOUR)
                        .setLimit(100L).build()).autoPagingIterable()) {
            total += summary.getAggregatedValue().doubleValue();
        }
        return total;
    }
}
