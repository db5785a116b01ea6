package io.meterline.billing.balance;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/** Business metrics of prepaid balances; every series exists from start-up. */
@Startup
@ApplicationScoped
public class BalanceMetrics {

    private final Counter debitsRefused;
    private final Counter usageUnsettled;
    private final Counter notifications;
    private final MeterRegistry registry;

    public BalanceMetrics(MeterRegistry registry, EntitlementCache cache) {
        this.registry = registry;
        Gauge.builder("meterline_balances_below_threshold", cache, c -> c.all().stream().filter(BalanceView::needsRecharge).count())
                .description("Balances below their recharge threshold").register(registry);
        Gauge.builder("meterline_balances_blocked", cache, c -> c.all().stream().filter(BalanceView::blocked).count())
                .description("Customers blocked by unsettled usage").register(registry);
        debitsRefused = Counter.builder("meterline_balance_debits_refused_total")
                .description("Debits refused by the debt limit (402)").register(registry);
        usageUnsettled = Counter.builder("meterline_balance_usage_unsettled_total")
                .description("Usage debits past the debt limit, kept as unsettled").register(registry);
        notifications = Counter.builder("meterline_balance_recharge_notifications_total")
                .description("balance.recharge_needed records published").register(registry);
        for (String outcome : new String[] {"requested", "succeeded", "failed"}) {
            recharges(outcome);
        }
        for (String kind : new String[] {"replace", "history", "read"}) {
            rounds(kind);
            writes(kind);
        }
    }

    void debitRefused() {
        debitsRefused.increment();
    }

    void usageUnsettled() {
        usageUnsettled.increment();
    }

    void notificationPublished() {
        notifications.increment();
    }

    /**
     * One MongoDB round trip of the batched balance path (0116): {@code kind} {@code replace}, {@code history} or
     * {@code read}, carrying {@code documents} balances or movements.
     */
    void roundTrip(String kind, int documents) {
        rounds(kind).increment();
        writes(kind).increment(documents);
    }

    private Counter rounds(String kind) {
        return Counter.builder("meterline_balance_round_trips_total").tag("kind", kind)
                .description("Round trips to MongoDB of the batched balance path, by kind").register(registry);
    }

    private Counter writes(String kind) {
        return Counter.builder("meterline_balance_batched_documents_total").tag("kind", kind)
                .description("Balances and movements carried by those round trips, by kind").register(registry);
    }

    /** Auto-recharges by outcome: {@code requested} (PaymentIntent created), {@code succeeded}, {@code failed}. */
    Counter recharges(String outcome) {
        return Counter.builder("meterline_balance_recharges_total").tag("outcome", outcome)
                .description("Auto-recharges by outcome").register(registry);
    }
}
