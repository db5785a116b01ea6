package io.meterline.billing.aggregation;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterline.billing.cloudevents.UsageRecordDecoder;
import io.meterline.billing.config.AggregationConfig;
import io.meterline.billing.meter.MeterMatcher;
import io.meterline.billing.meter.MeterLookup;
import io.meterline.model.Topics;
import io.meterline.model.UsageEvent;
import io.meterline.model.UsageEventValidator;
import io.meterline.model.Violation;
import io.meterline.model.usage.MeterDefinition;
import io.meterline.model.usage.Windows;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One task's share of the pipeline: validate → deduplicate → aggregate into hourly windows.
 *
 * <p>Events change windows in memory. Right before each commit ({@link BeforeCommit}) the task writes every window
 * it changed since the last commit, once, to the {@code windows} store, and the new dedup keys to the {@code dedup}
 * store; both stores' changelogs go into the transaction that commits the input offsets ({@code exactly_once_v2}).
 * The MongoDB writer reads the committed {@code windows} changelog, so MongoDB receives each changed window once
 * per commit (decision 0028). A crash before the commit loses only what the transaction did not commit: the next
 * incarnation restores the stores and processes the same records again.
 */
final class AggregationProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    static final String DEDUP_STORE = "dedup";
    static final String WINDOW_STORE = Topics.WINDOWS_STORE;
    static final String BEFORE_COMMIT = "before-commit";
    static final String DLQ_SINK = "dlq";
    static final String TOO_LATE = "too_late";
    static final String NOT_JSON = "not_json";
    /** Extension of recovered events (usage-source reconciliation). */
    static final String RECONCILED = "reconciled";

    private final MeterLookup meters;
    private final AggregationMetrics metrics;
    private final AggregationConfig config;
    private final Clock clock;
    private final UsageEventValidator validator;
    private final RecentWindows recent;

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, Long> dedup;
    private KeyValueStore<String, byte[]> windows;
    /** Deserialised windows, so hot windows are not decoded on every event; the store stays the truth. */
    private Map<String, WindowState> cache;
    /** Windows changed since the last commit: written to the store, once each, right before the next one. */
    private final Map<String, WindowState> changed = new LinkedHashMap<>();
    /** Windows changed since they were last published to {@link RecentWindows} for usage queries. */
    private final Map<String, WindowState> unpublished = new LinkedHashMap<>();
    /** Dedup keys first seen since the last commit (event time), written to the store right before the next one. */
    private final Map<String, Long> newKeys = new HashMap<>();
    /** Where this task's window changes stand, for {@link RecentWindows}' count of tasks with uncommitted changes. */
    private Changes changes = Changes.NONE;

    private enum Changes {
        /** every change is committed (or there was none) */
        NONE,
        /** windows changed since the last commit */
        CHANGED,
        /** written to the store before a commit: committed once the stream thread runs this task again */
        FLUSHED
    }

    AggregationProcessor(MeterLookup meters, AggregationMetrics metrics, AggregationConfig config, Clock clock,
            RecentWindows recent) {
        this.meters = meters;
        this.metrics = metrics;
        this.config = config;
        this.clock = clock;
        this.recent = recent;
        this.validator = new UsageEventValidator(clock, config.lookback());
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.dedup = context.getStateStore(DEDUP_STORE);
        this.windows = context.getStateStore(WINDOW_STORE);
        BeforeCommit beforeCommit = context.getStateStore(BEFORE_COMMIT);
        beforeCommit.run(this::writeChanges);
        int cacheSize = config.windowCacheSize();
        // a revived task calls init again: start from the stores, never from what an aborted transaction left here
        forgetUncommitted();
        this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, WindowState> eldest) {
                return size() > cacheSize;
            }
        };
        context.schedule(config.liveInterval(), PunctuationType.WALL_CLOCK_TIME, timestamp -> publishChanges());
        context.schedule(config.sweepInterval(), PunctuationType.WALL_CLOCK_TIME, timestamp -> sweep());
    }

    /** A task closed without committing (or revived): what it changed since its last commit never happened. */
    @Override
    public void close() {
        forgetUncommitted();
    }

    private void forgetUncommitted() {
        recent.remove(changed);
        changed.clear();
        unpublished.clear();
        newKeys.clear();
        if (changes != Changes.NONE) {
            recent.settled();
            changes = Changes.NONE;
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        // plain JSON, or CloudEvents binary/structured mode (docs/schema/usage-event.json)
        UsageRecordDecoder.Decoded decoded = UsageRecordDecoder.decode(record.headers(), record.value());
        if (decoded instanceof UsageRecordDecoder.Invalid invalid) {
            deadLetter(record, invalid.reason(), invalid.detail());
            return;
        }
        JsonNode node = ((UsageRecordDecoder.Event) decoded).node();
        UsageEventValidator.Result result = validator.validate(node);
        if (!result.valid()) {
            Violation violation = result.firstViolation();
            String reason = UsageEventValidator.TIME_TOO_OLD.equals(violation.reason()) ? TOO_LATE : violation.reason();
            deadLetter(record, reason, (violation.field().isEmpty() ? "" : violation.field() + ": ") + violation.message());
            return;
        }
        UsageEvent event = result.event();
        String dedupKey = event.dedupKey();
        long eventTime = event.time().toEpochMilli();
        long hour = Windows.hourStartMillis(eventTime);
        if (newKeys.containsKey(dedupKey) || dedup.get(dedupKey) != null) {
            metrics.deduplicated();
            recordDuplicate(event, hour);
            return;
        }
        newKeys.put(dedupKey, eventTime);
        // facts for explanations: counted after its window closed, or recovered from a usage provider
        long arrival = clock.millis();
        long[] late = arrival >= hour + Windows.HOUR_MILLIS + config.closedGrace().toMillis()
                ? new long[] {arrival, eventTime} : null;
        boolean reconciled = node.path(RECONCILED).asBoolean(false);

        boolean counted = false;
        for (MeterMatcher matcher : meters.matchersFor(event.type())) {
            if (!matcher.matches(event)) {
                continue;
            }
            MeterMatcher.Contribution contribution = matcher.contribution(event);
            if (contribution == null) {
                metrics.skipped("value_missing");
                continue;
            }
            MeterDefinition meter = matcher.meter();
            update(meter, event, "", Map.of(), hour, contribution, eventTime, late, reconciled);
            if (!meter.groupBy().isEmpty()) {
                Map<String, String> group = matcher.group(event);
                update(meter, event, MeterMatcher.groupKey(group), group, hour, contribution, eventTime, late, reconciled);
            }
            counted = true;
        }
        if (counted) {
            metrics.aggregated();
        } else {
            metrics.unmetered();
        }
    }

    private void update(MeterDefinition meter, UsageEvent event, String groupKey, Map<String, String> group, long hour,
            MeterMatcher.Contribution contribution, long eventTime, long[] late, boolean reconciled) {
        String id = io.meterline.model.usage.UsageWindowDocument.idOf(meter.key(), event.subject(), groupKey, hour / 1000);
        WindowState state = window(id);
        if (state == null) {
            state = WindowState.empty(meter.key(), event.subject(), groupKey, group, hour, meter.aggregation());
            cache.put(id, state);
        }
        state.add(contribution.value(), contribution.unique(), eventTime);
        if (event.organization() != null) {
            state.organization = event.organization();
        }
        if (late != null) {
            state.late++;
            state.lateArrival(late);
        }
        if (reconciled) {
            state.reconciled++;
        }
        changed(id, state);
    }

    /** The window as this task has it now (changed in memory, cached, or stored), or null when it has none. */
    private WindowState window(String id) {
        WindowState state = cache.get(id);
        if (state == null) {
            // a window changed since the last commit stays here even when the cache let it go
            state = changed.get(id);
            if (state == null) {
                byte[] stored = windows.get(id);
                if (stored == null) {
                    return null;
                }
                state = WindowState.fromBytes(stored);
            }
            cache.put(id, state);
        }
        return state;
    }

    private void changed(String id, WindowState state) {
        changed.put(id, state);
        unpublished.put(id, state);
        if (changes == Changes.NONE) {
            recent.changing();
        }
        // a FLUSHED task changing again stays counted: its next flush and punctuation settle it
        changes = Changes.CHANGED;
    }

    /**
     * Counts a dropped repeat in the ungrouped windows its event would have counted in (only windows that exist: a
     * repeat never creates one). Same transaction as everything else, so the count is exact across crashes.
     */
    private void recordDuplicate(UsageEvent event, long hour) {
        for (MeterMatcher matcher : meters.matchersFor(event.type())) {
            if (!matcher.matches(event)) {
                continue;
            }
            String id = io.meterline.model.usage.UsageWindowDocument.idOf(matcher.meter().key(), event.subject(), "",
                    hour / 1000);
            WindowState state = window(id);
            if (state == null) {
                continue;
            }
            state.duplicates++;
            state.version++;
            changed(id, state);
        }
    }

    /**
     * Makes the windows changed since the last publication visible to usage queries before the commit; after a
     * commit, tells {@link RecentWindows} that this task's changes are committed (a punctuation runs after the commit
     * that flushed them has completed).
     */
    private void publishChanges() {
        for (Map.Entry<String, WindowState> entry : unpublished.entrySet()) {
            recent.publish(entry.getKey(), entry.getValue(), entry.getValue().toBytes());
        }
        unpublished.clear();
        if (changes == Changes.FLUSHED) {
            recent.settled();
            changes = Changes.NONE;
        }
    }

    /**
     * Right before a commit: every window changed since the last one, once, and the new dedup keys go to their
     * stores (one RocksDB write batch each), whose changelogs join the transaction being committed.
     */
    private void writeChanges() {
        if (!newKeys.isEmpty()) {
            List<KeyValue<String, Long>> keys = new ArrayList<>(newKeys.size());
            newKeys.forEach((key, time) -> keys.add(KeyValue.pair(key, time)));
            dedup.putAll(keys);
            newKeys.clear();
        }
        if (!changed.isEmpty()) {
            List<KeyValue<String, byte[]>> states = new ArrayList<>(changed.size());
            changed.forEach((id, state) -> states.add(KeyValue.pair(id, state.toBytes())));
            windows.putAll(states);
            // the store has them now: queries read them there
            recent.remove(changed);
            changed.clear();
            unpublished.clear();
            changes = Changes.FLUSHED;
        }
    }

    /**
     * Drops dedup keys and windows older than the lookback: an event that old is dead-lettered as too late before
     * it reaches either, so keeping them longer changes nothing.
     */
    private void sweep() {
        long horizon = clock.millis() - config.lookback().toMillis() - Windows.HOUR_MILLIS;
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, Long> iterator = dedup.all()) {
            while (iterator.hasNext()) {
                KeyValue<String, Long> entry = iterator.next();
                if (entry.value != null && entry.value < horizon) {
                    expired.add(entry.key);
                }
            }
        }
        expired.forEach(dedup::delete);
        expired.clear();
        try (KeyValueIterator<String, byte[]> iterator = windows.all()) {
            while (iterator.hasNext()) {
                String id = iterator.next().key;
                long windowStartSeconds = Long.parseLong(id.substring(id.lastIndexOf('|') + 1));
                if (windowStartSeconds * 1000 + Windows.HOUR_MILLIS < horizon) {
                    expired.add(id);
                }
            }
        }
        for (String id : expired) {
            windows.delete(id);
            cache.remove(id);
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, String reason, String detail) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(Topics.HEADER_DLQ_REASON, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.HEADER_DLQ_DETAIL, detail.getBytes(StandardCharsets.UTF_8));
        RecordMetadata metadata = context.recordMetadata().orElse(null);
        if (metadata != null) {
            headers.add(Topics.HEADER_DLQ_PARTITION, String.valueOf(metadata.partition()).getBytes(StandardCharsets.UTF_8));
            headers.add(Topics.HEADER_DLQ_OFFSET, String.valueOf(metadata.offset()).getBytes(StandardCharsets.UTF_8));
        }
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers), DLQ_SINK);
        metrics.deadLettered(reason);
    }
}
