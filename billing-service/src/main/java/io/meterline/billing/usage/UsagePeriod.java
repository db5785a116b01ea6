package io.meterline.billing.usage;

import java.time.Instant;
import java.util.Map;

/** One window of a usage query: hourly as stored, or a day/week/month/year merged from hours. */
public record UsagePeriod(Instant start, Instant end, Map<String, String> group, double value, long eventCount,
        boolean closed) {
}
