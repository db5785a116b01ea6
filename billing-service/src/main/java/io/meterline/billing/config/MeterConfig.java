package io.meterline.billing.config;

import io.meterline.model.usage.Aggregation;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code billing.meters.<key>.*}: one meter declared in configuration. */
public interface MeterConfig {

    /** Event {@code type} the meter counts. */
    String eventType();

    Aggregation aggregation();

    /** Dotted path into {@code data} of the value (unused by COUNT). */
    Optional<String> valuePath();

    /** Only events whose {@code data} properties equal these values. */
    Map<String, String> filter();

    /** Properties of {@code data} to split windows by. */
    Optional<List<String>> groupBy();

    /** Stripe billing meter {@code event_name} this meter reports to. */
    String stripeEventName();

    /** Metered Stripe price subscriptions need an item for (backfill). */
    Optional<String> stripePriceId();
}
