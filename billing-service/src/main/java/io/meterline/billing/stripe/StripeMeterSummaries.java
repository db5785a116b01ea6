package io.meterline.billing.stripe;

import java.util.Map;

/** Reads what Stripe holds for a meter: the only way reconciliation looks at Stripe's side. */
public interface StripeMeterSummaries {

    /** Ids of Stripe's billing meters by {@code event_name} (every page of the meter list). */
    Map<String, String> meterIdsByEventName() throws StripeCallException;

    /**
     * One customer's meter per UTC hour in {@code [fromEpochSecond, toEpochSecond)}, by hour start: one paginated list
     * of hourly event summaries ({@code value_grouping_window=hour}, 100 per page). Hours Stripe answers without
     * usage come back as 0.
     */
    Map<Long, Double> hourly(String meterId, String customerId, long fromEpochSecond, long toEpochSecond)
            throws StripeCallException;
}
