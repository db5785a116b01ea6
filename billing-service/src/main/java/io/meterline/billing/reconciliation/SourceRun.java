package io.meterline.billing.reconciliation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One usage-source run (collection {@code source_runs}): what the provider recorded against what Meterline
 * accepted. {@code expected} counts the provider's valid records (distinct ids), {@code received} those Meterline had
 * accepted, {@code recovered} those ingested by this run; {@code reliability = received / expected}.
 */
public class SourceRun {
    public String id;
    public String source;
    /** {@code pull} or {@code push}. */
    public String kind;
    public String trigger;
    public String status;
    public Instant from;
    public Instant to;
    public Instant started;
    public Instant finished;
    public long listed;
    public long expected;
    public long received;
    public long recovered;
    public long invalid;
    public double reliability;
    public double threshold;
    public boolean alert;
    /** Units recovered times the source's unit price (minor units); null without a price. */
    public Double estimatedRevenueRecovered;
    public long pages;
    public List<InvalidRecord> invalidRecords = new ArrayList<>();
    public String abortReason;

    /** A provider record that is not a valid usage event, never ingested. */
    public static class InvalidRecord {
        public String id;
        public String field;
        public String reason;
        public String message;
    }
}
