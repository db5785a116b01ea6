package io.meterline.billing.period;

import io.meterline.billing.logging.LogContext;
import io.meterline.billing.aggregation.WindowState;
import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.meter.MeterService;
import io.meterline.billing.period.PeriodCalendar.Period;
import io.meterline.model.period.PeriodIds;
import io.meterline.model.usage.MeterDefinition;
import io.meterline.model.usage.UsageWindowDocument;
import io.meterline.model.usage.WindowSize;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Closes complete periods: merges their hourly windows into one immutable document per (meter, customer, group, size,
 * start), makes a revision when a late event changed a closed period, and hands what it inserted to the publisher.
 * Safe on several instances at once: the insert of a revision's {@code _id} is the only decision, one instance wins.
 */
@ApplicationScoped
public class PeriodCloser {

    private static final Logger LOG = Logger.getLogger(PeriodCloser.class);
    static final String LATE_EVENT = "late_event";

    private final MeterService meters;
    private final HourlySource source;
    private final PeriodRepository repository;
    private final PeriodPublisher publisher;
    private final PeriodClock clock;
    private final PeriodCalendar calendar;
    private final BillingConfig config;

    public PeriodCloser(MeterService meters, HourlySource source, PeriodRepository repository, PeriodPublisher publisher,
            PeriodClock clock, BillingConfig config) {
        this.meters = meters;
        this.source = source;
        this.repository = repository;
        this.publisher = publisher;
        this.clock = clock;
        this.config = config;
        this.calendar = PeriodCalendar.of(config.periods(), config.aggregation().lookback());
    }

    public PeriodCalendar calendar() {
        return calendar;
    }

    /** A period to look at for one series; {@code recheck}: closed already, but its hours changed since. */
    private record Candidate(HourlySource.Series series, ZoneId zone, Period period, String key, boolean recheck) {
    }

    /** The catch-up: every meter, every complete period within the lookbacks that is not closed (or changed since). */
    public CloseResult closeDue(String trigger) {
        try (LogContext ignored = LogContext.run(closeRunId())) {
            return closeDueNow(trigger);
        }
    }

    private CloseResult closeDueNow(String trigger) {
        Instant now = clock.now();
        Date wallStart = new Date();
        Tally tally = new Tally();
        for (MeterDefinition meter : meters.all()) {
            PeriodCheckpointDocument checkpoint = repository.checkpoint(meter.key());
            if (checkpoint != null && checkpoint.horizon.toInstant().isAfter(now)) {
                checkpoint = null; // the clock went back: look at everything again
            }
            Instant completedAfter = checkpoint == null ? null : checkpoint.horizon.toInstant();
            List<WindowSize> sizes = calendar.sizesFor(meter.key());
            DuePeriods due = new DuePeriods(meter, sizes);
            // the periods that became complete since the last run, in every zone in use
            for (ZoneId zone : calendar.zones()) {
                for (WindowSize size : sizes) {
                    for (Period period : calendar.completePeriods(size, zone, now.minus(calendar.lookback(size)), now,
                            now, completedAfter)) {
                        due.completed(zone, period);
                    }
                }
            }
            // closed periods whose hours changed since the last run (late events): looked at again
            if (checkpoint != null) {
                for (UsageWindowDocument hour : source.changedSince(meter.key(), checkpoint.changedSince)) {
                    ZoneId zone = calendar.zoneFor(hour.subject);
                    for (WindowSize size : sizes) {
                        Period period = PeriodCalendar.containing(hour.windowStart.toInstant(), size, zone);
                        if (calendar.complete(period, now) && calendar.withinLookback(period, now)) {
                            due.recheck(hour.subject, hour.groupKey, period);
                        }
                    }
                }
            }
            if (!due.isEmpty()) {
                due.readHours();
                settle(meter, due.candidates, due.merged, now, trigger, tally);
            }
            repository.advance(meter.key(), checkpoint, Date.from(now),
                    new Date(wallStart.getTime() - config.periods().changeSlack().toMillis()));
        }
        CloseResult result = tally.result(trigger, now, List.of());
        LOG.infof("periods %s run: closed=%d revised=%d alreadyClosed=%d lost=%d; notifications %s", trigger,
                result.closed(), result.revised(), result.alreadyClosed(), result.lost(), publisher.modeLine());
        return result;
    }

    /**
     * The periods of one meter a catch-up run closes, and their merged hours. Which periods are due is known without
     * reading anything (those that became complete since the last run, per zone and size, plus the keys late events
     * touched); the hours are then read once, by time range, and each is folded into the due periods that contain it.
     * A period without hours gets no state and is not closed.
     */
    private final class DuePeriods {
        private final MeterDefinition meter;
        private final List<WindowSize> sizes;
        /** By zone and size: the starts (epoch ms) of the periods that became complete. */
        private final Map<ZoneId, Map<WindowSize, Set<Long>>> completed = new HashMap<>();
        /** Period keys to look at again, with their period. */
        private final Map<String, Period> rechecks = new HashMap<>();
        /** The series of the rechecks, with the hours {@code [from, to)} to read of each. */
        private final Map<String, long[]> recheckedSeries = new HashMap<>();
        final Map<String, Candidate> candidates = new LinkedHashMap<>();
        final Map<String, WindowState> merged = new HashMap<>();
        /** By subject, then group key: where each series' hours went last. */
        private final Map<String, Map<String, SeriesCursor>> cursors = new HashMap<>();
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;

        DuePeriods(MeterDefinition meter, List<WindowSize> sizes) {
            this.meter = meter;
            this.sizes = sizes;
        }

        boolean isEmpty() {
            return from == Long.MAX_VALUE;
        }

        void completed(ZoneId zone, Period period) {
            completed.computeIfAbsent(zone, z -> new java.util.EnumMap<>(WindowSize.class))
                    .computeIfAbsent(period.size(), s -> new java.util.HashSet<>()).add(period.start().toEpochMilli());
            cover(period);
        }

        void recheck(String subject, String groupKey, Period period) {
            rechecks.put(key(meter, subject, groupKey, period), period);
            cover(period);
            recheckedSeries.merge(subject + "|" + groupKey, new long[] {period.start().toEpochMilli(),
                    period.end().toEpochMilli()}, (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }

        /**
         * Reads the hours of every due period once and folds each into the due periods that contain it: one time-range
         * query when periods became complete (or many series changed); the few series late events touched, when that
         * is all, by {@code _id}, which reads nothing outside them. (One query over all meters, {@code meter: {$in:
         * …}}, was measured: the embedded dev server then matched every window against the list and the time range
         * instead of rejecting other meters' windows on the meter first, and was no cheaper; decision 0096.)
         */
        void readHours() {
            if (completed.isEmpty() && recheckedSeries.size() < config.periods().rangeReadSeries()) {
                for (Map.Entry<String, long[]> series : recheckedSeries.entrySet()) {
                    String[] id = series.getKey().split("\\|", 2);
                    source.forEachHourOf(meter, id[0], id[1], series.getValue()[0], series.getValue()[1], this::fold);
                }
            } else {
                source.forEachHour(meter, from, to, this::fold);
            }
        }

        private void cover(Period period) {
            from = Math.min(from, period.start().toEpochMilli());
            to = Math.max(to, period.end().toEpochMilli());
        }

        /**
         * Folds one hour into the due periods of its series that contain it. Which period of each size an hour falls
         * in, whether it is due and its running state are looked up once per period and series, not once per hour
         * (hours of a series mostly arrive together): the calendar arithmetic and the period key were a large part
         * of billing's CPU per window.
         */
        void fold(HourlyWindow window) {
            SeriesCursor cursor = cursors.computeIfAbsent(window.subject, subject -> new HashMap<>())
                    .computeIfAbsent(window.groupKey, groupKey -> new SeriesCursor(calendar.zoneFor(window.subject)));
            for (int i = 0; i < cursor.targets.length; i++) {
                if (window.windowStart < cursor.starts[i] || window.windowStart >= cursor.ends[i]) {
                    locate(cursor, i, window);
                }
                WindowState state = cursor.targets[i];
                if (state != null) {
                    HourlySource.mergeInto(state, window);
                }
            }
        }

        /** Points the cursor's size {@code i} at the period containing this hour, and at its state if it is due. */
        private void locate(SeriesCursor cursor, int i, HourlyWindow window) {
            WindowSize size = sizes.get(i);
            Period period = PeriodCalendar.containing(Instant.ofEpochMilli(window.windowStart), size, cursor.zone);
            long start = period.start().toEpochMilli();
            cursor.starts[i] = start;
            cursor.ends[i] = period.end().toEpochMilli();
            cursor.targets[i] = null;
            String key = key(meter, window.subject, window.groupKey, period);
            boolean recheck = rechecks.containsKey(key);
            if (!recheck && !completed.getOrDefault(cursor.zone, Map.of()).getOrDefault(size, Set.of()).contains(start)) {
                return;
            }
            WindowState sum = merged.get(key);
            if (sum == null) {
                candidates.put(key, new Candidate(seriesOf(window), cursor.zone, period, key, recheck));
                sum = WindowState.empty(meter.key(), window.subject, window.groupKey, window.group, start,
                        meter.aggregation());
                merged.put(key, sum);
            }
            cursor.targets[i] = sum;
        }

        /** One series' position: per size, the period the last hour fell in ({@code [start, end)}) and its state. */
        private final class SeriesCursor {
            final ZoneId zone;
            final long[] starts = new long[sizes.size()];
            final long[] ends = new long[sizes.size()];
            /** Null where that period is not due. */
            final WindowState[] targets = new WindowState[sizes.size()];

            SeriesCursor(ZoneId zone) {
                this.zone = zone;
                java.util.Arrays.fill(starts, Long.MAX_VALUE);
                java.util.Arrays.fill(ends, Long.MIN_VALUE);
            }
        }
    }

    private static String key(MeterDefinition meter, String subject, String groupKey, Period period) {
        return PeriodIds.periodKey(meter.key(), subject, groupKey, PeriodCalendar.sizeName(period.size()),
                period.start().getEpochSecond());
    }

    /** Manual close of one meter's periods of one size in {@code [from, to)}: complete ones only. */
    public CloseResult close(MeterDefinition meter, WindowSize size, Instant from, Instant to) {
        try (LogContext ignored = LogContext.run(closeRunId())) {
            return closeNow(meter, size, from, to);
        }
    }

    /** Period close runs keep no record; the id only ties the lines of one run together. */
    private static String closeRunId() {
        return "pc_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    private CloseResult closeNow(MeterDefinition meter, WindowSize size, Instant from, Instant to) {
        Instant now = clock.now();
        Map<String, Candidate> candidates = new LinkedHashMap<>();
        Set<ZoneId> zones = new LinkedHashSet<>();
        for (HourlySource.Series series : source.series(meter.key(), Date.from(from.minus(java.time.Duration.ofDays(1))))) {
            ZoneId zone = calendar.zoneFor(series.id.subject);
            zones.add(zone);
            for (Period period : PeriodCalendar.periodsBetween(size, zone, from, to)) {
                boolean overlaps = period.end().isAfter(series.first.toInstant())
                        && !period.start().isAfter(series.last.toInstant());
                if (overlaps && calendar.complete(period, now)) {
                    add(candidates, meter, series, zone, period, true);
                }
            }
        }
        if (zones.isEmpty()) {
            zones.add(calendar.zoneFor(""));
        }
        List<CloseResult.Skipped> skipped = new ArrayList<>();
        for (ZoneId zone : zones) {
            for (Period period : PeriodCalendar.periodsBetween(size, zone, from, to)) {
                if (!calendar.complete(period, now)) {
                    skipped.add(new CloseResult.Skipped(period.start(), period.end(), zone.getId(),
                            CloseResult.PERIOD_OPEN, calendar.completesAt(period)));
                }
            }
        }
        Tally tally = new Tally();
        process(meter, candidates, now, "manual", tally);
        CloseResult result = tally.result("manual", now, skipped);
        LOG.infof("periods manual close of %s %s [%s, %s): closed=%d revised=%d alreadyClosed=%d lost=%d open=%d; "
                + "notifications %s", meter.key(), PeriodCalendar.sizeName(size), from, to, result.closed(),
                result.revised(), result.alreadyClosed(), result.lost(), skipped.size(), publisher.modeLine());
        return result;
    }

    private static HourlySource.Series seriesOf(HourlyWindow hour) {
        HourlySource.Series series = new HourlySource.Series();
        series.id = new HourlySource.SeriesKey();
        series.id.subject = hour.subject;
        series.id.groupKey = hour.groupKey;
        series.group = hour.group;
        series.organization = hour.organization;
        return series;
    }

    private static void add(Map<String, Candidate> candidates, MeterDefinition meter, HourlySource.Series series,
            ZoneId zone, Period period, boolean recheck) {
        String key = PeriodIds.periodKey(meter.key(), series.id.subject, series.id.groupKey,
                PeriodCalendar.sizeName(period.size()), period.start().getEpochSecond());
        Candidate existing = candidates.get(key);
        if (existing == null || (recheck && !existing.recheck)) {
            candidates.put(key, new Candidate(series, zone, period, key, recheck));
        }
    }

    /** The manual close: skips periods closed already, merges the hours of the others, closes what changed. */
    private void process(MeterDefinition meter, Map<String, Candidate> candidates, Instant now, String trigger,
            Tally tally) {
        if (candidates.isEmpty()) {
            return;
        }
        Map<String, PeriodDocument> latest = repository.latest(candidates.keySet());
        // the periods whose hours must be read, by series
        Map<String, List<Candidate>> bySeries = new LinkedHashMap<>();
        Map<String, Candidate> toMerge = new LinkedHashMap<>();
        for (Candidate candidate : candidates.values()) {
            if (latest.containsKey(candidate.key) && !candidate.recheck) {
                tally.alreadyClosed++;
                continue;
            }
            toMerge.put(candidate.key, candidate);
            bySeries.computeIfAbsent(seriesKey(candidate.series.id.subject, candidate.series.id.groupKey),
                    k -> new ArrayList<>()).add(candidate);
        }
        decide(meter, toMerge, mergeHours(meter, bySeries), latest, now, trigger, tally);
    }

    /** Closes the merged candidates that are not closed yet, and revises those whose hours changed. */
    private void settle(MeterDefinition meter, Map<String, Candidate> candidates, Map<String, WindowState> merged,
            Instant now, String trigger, Tally tally) {
        Map<String, PeriodDocument> latest = repository.latest(candidates.keySet());
        Map<String, Candidate> open = new LinkedHashMap<>();
        for (Candidate candidate : candidates.values()) {
            if (latest.containsKey(candidate.key) && !candidate.recheck) {
                tally.alreadyClosed++;
            } else {
                open.put(candidate.key, candidate);
            }
        }
        decide(meter, open, merged, latest, now, trigger, tally);
    }

    private void decide(MeterDefinition meter, Map<String, Candidate> candidates, Map<String, WindowState> merged,
            Map<String, PeriodDocument> latest, Instant now, String trigger, Tally tally) {
        List<PeriodDocument> batch = new ArrayList<>();
        Date closedAt = Date.from(now);
        for (Candidate candidate : candidates.values()) {
            WindowState state = merged.get(candidate.key);
            if (state == null || state.count == 0) {
                continue;
            }
            PeriodDocument previous = latest.get(candidate.key);
            if (previous != null && previous.eventCount == state.count && sameValue(previous.value, state.value())) {
                tally.alreadyClosed++;
                continue;
            }
            batch.add(toDocument(meter, candidate, state, previous, closedAt, trigger));
            if (batch.size() >= config.periods().batchSize()) {
                insert(batch, tally);
                batch = new ArrayList<>();
            }
        }
        insert(batch, tally);
    }

    /**
     * Merges each candidate's hourly windows, keyed by candidate. Few series: their hours by {@code _id}, one query
     * per series. Many (a catch-up, the end of a day or month): one time-range query over the meter, streamed and
     * merged as it goes — a handful of round trips instead of one per series, nothing held but the sums.
     */
    private Map<String, WindowState> mergeHours(MeterDefinition meter, Map<String, List<Candidate>> bySeries) {
        Map<String, WindowState> merged = new HashMap<>();
        if (bySeries.size() < config.periods().rangeReadSeries()) {
            for (List<Candidate> series : bySeries.values()) {
                long from = Long.MAX_VALUE;
                long to = Long.MIN_VALUE;
                for (Candidate candidate : series) {
                    from = Math.min(from, candidate.period.start().toEpochMilli());
                    to = Math.max(to, candidate.period.end().toEpochMilli());
                }
                HourlySource.SeriesKey id = series.get(0).series.id;
                source.forEachHourOf(meter, id.subject, id.groupKey, from, to,
                        hour -> mergeInto(merged, meter, series, hour));
            }
            return merged;
        }
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (List<Candidate> series : bySeries.values()) {
            for (Candidate candidate : series) {
                from = Math.min(from, candidate.period.start().toEpochMilli());
                to = Math.max(to, candidate.period.end().toEpochMilli());
            }
        }
        source.forEachHour(meter, from, to, window -> {
            List<Candidate> series = bySeries.get(seriesKey(window.subject, window.groupKey));
            if (series != null) {
                mergeInto(merged, meter, series, window);
            }
        });
        return merged;
    }

    /**
     * Hours are merged in the order they are read, which differs between runs, so a recomputed floating-point sum can
     * differ in its last bits: that is not a change. A late event always changes the event count as well.
     */
    static boolean sameValue(double previous, double recomputed) {
        return previous == recomputed
                || Math.abs(previous - recomputed) <= 1e-9 * Math.max(1, Math.max(Math.abs(previous), Math.abs(recomputed)));
    }

    private static String seriesKey(String subject, String groupKey) {
        return subject + "|" + groupKey;
    }

    /** Folds one hour into every candidate period of its series that contains it. */
    private static void mergeInto(Map<String, WindowState> merged, MeterDefinition meter, List<Candidate> series,
            HourlyWindow hour) {
        for (Candidate candidate : series) {
            if (hour.windowStart >= candidate.period.start().toEpochMilli()
                    && hour.windowStart < candidate.period.end().toEpochMilli()) {
                WindowState state = merged.computeIfAbsent(candidate.key, key -> WindowState.empty(meter.key(),
                        candidate.series.id.subject, candidate.series.id.groupKey, candidate.series.group,
                        candidate.period.start().toEpochMilli(), meter.aggregation()));
                HourlySource.mergeInto(state, hour);
            }
        }
    }

    private void insert(List<PeriodDocument> batch, Tally tally) {
        if (batch.isEmpty()) {
            return;
        }
        String publication = publisher.start(batch);
        List<PeriodDocument> inserted = repository.insertIfAbsent(batch);
        tally.lost += batch.size() - inserted.size();
        for (PeriodDocument document : inserted) {
            if (document.revision == 0) {
                tally.closed++;
            } else {
                tally.revised++;
            }
        }
        publisher.publish(publication, inserted);
    }

    private PeriodDocument toDocument(MeterDefinition meter, Candidate candidate, WindowState merged,
            PeriodDocument previous, Date closedAt, String trigger) {
        PeriodDocument document = new PeriodDocument();
        document.revision = previous == null ? 0 : previous.revision + 1;
        document.id = PeriodIds.revisionId(candidate.key, document.revision);
        document.periodKey = candidate.key;
        document.meter = meter.key();
        document.customer = candidate.series.id.subject;
        document.organization = merged.organization != null ? merged.organization : candidate.series.organization;
        document.groupKey = candidate.series.id.groupKey;
        document.group = candidate.series.group == null ? Map.of() : candidate.series.group;
        document.size = PeriodCalendar.sizeName(candidate.period.size());
        document.start = Date.from(candidate.period.start());
        document.end = Date.from(candidate.period.end());
        document.timeZone = candidate.zone.getId();
        document.aggregation = meter.aggregation().name();
        document.value = merged.value();
        document.eventCount = merged.count;
        // the state the aggregation merges (only that part of each hour is read)
        switch (meter.aggregation()) {
            case SUM, AVG -> document.sum = merged.sum;
            case MIN -> document.min = merged.min;
            case MAX -> document.max = merged.max;
            case LAST -> {
                document.lastTime = merged.lastTime;
                document.lastValue = merged.lastValue;
            }
            case UNIQUE_COUNT -> document.uniqueCount = (long) merged.uniques.size();
            case COUNT -> {
            }
        }
        if (previous != null) {
            document.previousValue = previous.value;
            document.previousEventCount = previous.eventCount;
            document.reason = LATE_EVENT;
        }
        document.closedAt = closedAt;
        document.closedBy = trigger;
        return document;
    }

    private static final class Tally {
        int closed;
        int revised;
        int alreadyClosed;
        int lost;

        CloseResult result(String trigger, Instant now, List<CloseResult.Skipped> skipped) {
            return new CloseResult(trigger, now, closed, revised, alreadyClosed, lost, skipped);
        }
    }
}
