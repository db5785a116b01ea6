package io.meterline.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.model.StripeCollection;
import com.stripe.model.billing.Meter;
import com.stripe.model.billing.MeterEventSummary;
import com.stripe.param.billing.MeterEventSummaryListParams;
import com.stripe.param.billing.MeterListParams;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** {@link StripeMeterSummaries} on stripe-java; every page is one call through {@link StripeCaller} (rate limit, retries). */
@Singleton
public class StripeJavaMeterSummaries implements StripeMeterSummaries {

    private static final long PAGE = 100;

    private final Instance<StripeClient> client;
    private final StripeCaller caller;

    public StripeJavaMeterSummaries(Instance<StripeClient> client, StripeCaller caller) {
        this.client = client;
        this.caller = caller;
    }

    @Override
    public Map<String, String> meterIdsByEventName() throws StripeCallException {
        Map<String, String> ids = new HashMap<>();
        String after = null;
        while (true) {
            MeterListParams.Builder params = MeterListParams.builder().setLimit(PAGE);
            if (after != null) {
                params.setStartingAfter(after);
            }
            MeterListParams built = params.build();
            StripeCollection<Meter> page = caller.call("list meters", () -> client.get().v1().billing().meters().list(built));
            for (Meter meter : page.getData()) {
                // an inactive meter keeps its summaries; an active one with the same event name wins
                if (!ids.containsKey(meter.getEventName()) || "active".equals(meter.getStatus())) {
                    ids.put(meter.getEventName(), meter.getId());
                }
                after = meter.getId();
            }
            if (!Boolean.TRUE.equals(page.getHasMore()) || page.getData().isEmpty()) {
                return ids;
            }
        }
    }

    @Override
    public Map<Long, Double> hourly(String meterId, String customerId, long fromEpochSecond, long toEpochSecond)
            throws StripeCallException {
        Map<Long, Double> values = new TreeMap<>();
        String after = null;
        while (true) {
            MeterEventSummaryListParams.Builder params = MeterEventSummaryListParams.builder()
                    .setCustomer(customerId)
                    .setStartTime(fromEpochSecond)
                    .setEndTime(toEpochSecond)
                    .setValueGroupingWindow(MeterEventSummaryListParams.ValueGroupingWindow.HOUR)
                    .setLimit(PAGE);
            if (after != null) {
                params.setStartingAfter(after);
            }
            MeterEventSummaryListParams built = params.build();
            StripeCollection<MeterEventSummary> page = caller.call("event summaries of " + meterId + " for " + customerId,
                    () -> client.get().v1().billing().meters().eventSummaries().list(meterId, built));
            for (MeterEventSummary summary : page.getData()) {
                values.merge(summary.getStartTime(), summary.getAggregatedValue().doubleValue(), Double::sum);
                after = summary.getId();
            }
            if (!Boolean.TRUE.equals(page.getHasMore()) || page.getData().isEmpty()) {
                return values;
            }
        }
    }
}
