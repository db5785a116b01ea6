package io.meterline.billing.period;

import java.time.Instant;
import java.util.List;

/**
 * What a closing run did. {@code closed} = first closes, {@code revised} = new revisions after late events,
 * {@code alreadyClosed} = complete periods with a current revision, {@code lost} = closed first by another instance,
 * {@code skipped} = periods asked for (manual close) that are still open.
 */
public record CloseResult(String trigger, Instant now, int closed, int revised, int alreadyClosed, int lost,
        List<Skipped> skipped) {

    /** A period that is not complete yet, with the instant it will be. */
    public record Skipped(Instant start, Instant end, String timeZone, String reason, Instant completesAt) {
    }

    public static final String PERIOD_OPEN = "period_open";
}
