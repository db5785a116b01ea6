package io.meterline.client;

/**
 * A snapshot of the client's counters (no metrics library needed; bind them to Micrometer or anything else with
 * gauges over {@link MeterlineClient#metrics()}).
 *
 * @param recorded       events accepted by {@code record} since the client started
 * @param queued         events in the spool not yet answered by Meterline (includes those replayed from disk)
 * @param spoolBytes     bytes those events take in the spool
 * @param spooled        events written to the spool since start (every recorded event goes through it)
 * @param sent           events Meterline acknowledged (accepted, or a duplicate of one already stored)
 * @param rejected       events Meterline refused (reported to the rejection callback, never retried)
 * @param refused        {@code record} calls refused because the spool was full ({@link SpoolFullPolicy#REJECT})
 * @param failedAttempts deliveries that failed and were retried (unreachable, 429, 5xx)
 * @param unreachable    whether the last delivery attempt failed
 */
public record ClientMetrics(long recorded, long queued, long spoolBytes, long spooled, long sent, long rejected,
        long refused, long failedAttempts, boolean unreachable) {
}
