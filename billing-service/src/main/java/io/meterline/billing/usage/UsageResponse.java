package io.meterline.billing.usage;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.meterline.model.usage.Aggregation;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Answer of {@code GET /v1/usage}. */
public record UsageResponse(String meter, String customer, Aggregation aggregation, String window, String tz,
        Instant from, Instant to, List<String> groupBy, List<Window> windows) {

    /** One window: {@code closed} once its end (plus the configured grace) has passed. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Window(Instant start, Instant end, double value, long eventCount, boolean closed,
            Map<String, String> group) {
    }
}
