package io.meterline.billing.config;

import io.smallrye.config.WithDefault;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** {@code billing.balance.*}: prepaid balances, usage pricing for prepaid customers, entitlements, auto-recharge. */
public interface BalanceConfig {

    /** Currency of balances when a request names none (ISO 4217, lower case). */
    @WithDefault("usd")
    String currency();

    /** How far below zero a balance may go, in minor units, unless the customer has its own limit. */
    @WithDefault("500")
    long debtLimit();

    /** Falling below this (minor units) asks for a recharge, unless the customer has its own threshold. */
    @WithDefault("0")
    long rechargeThreshold();

    /**
     * Price per unit of a meter for prepaid customers, in minor units, decimals allowed
     * ({@code billing.balance.unit-prices.call-minutes=0.5}). Meters without a price never draw a balance down.
     */
    Map<String, BigDecimal> unitPrices();

    /** How often the entitlement cache re-reads every balance (changes made by this instance apply at once). */
    @WithDefault("PT0.5S")
    Duration cacheRefresh();

    /**
     * How often entitlements re-read customers and subscriptions (as webhook-service keeps them) for
     * {@code subscription_inactive}.
     */
    @WithDefault("PT1S")
    Duration subscriptionRefresh();

    /** How often pending history copies, notifications, recharges and payment outcomes are swept. */
    @WithDefault("PT1S")
    Duration sweepInterval();

    /**
     * How long the history copier waits after the first movement of a round before writing the round: movements
     * answered meanwhile are copied with it, in one insert. The answer never waits for the copy (until it exists the
     * movement is in the balance's {@code pending} list), so this trades MongoDB round trips for how long a movement
     * stays pending; {@code PT0S} writes each round as soon as one movement is queued. Well under
     * {@link #sweepInterval()}, which copies what is older than that (decision 0119).
     */
    @WithDefault("PT0.05S")
    Duration historyLinger();

    /** Kafka topic of {@code balance.recharge_needed} records. */
    @WithDefault("billing-notifications")
    String notificationsTopic();

    /**
     * Fault injection for crash tests only: halt the JVM (as kill -9 would) right after the named step of a balance
     * movement: {@code movement-applied} (balance written, history not yet), {@code history-written} (history
     * written, pending entry not yet removed), {@code usage-claimed} (usage charge claimed, debit not yet applied).
     * Never set in production.
     */
    Optional<String> haltAfter();
}
