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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;

/**
 * One task's share of the pipeline: validate → deduplicate → aggregate into hourly windows → emit absolute totals.
 *
 * <p>Everything that must survive a crash lives in state stores whose changelogs Kafka Streams commits in the same
 * transaction as the input offsets and the output records ({@code exactly_once_v2}): the dedup keys, the windows and
 * the set of windows changed since their last emission ("dirty"). Emission happens on a wall-clock punctuator, so
 * MongoDB sees one write per changed window per interval instead of one per event; because the dirty set is itself
 * in a store, a change committed before a crash is still emitted after it.
 */
final class AggregationProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    static final String DEDUP_STORE = "dedup";
    static final String WINDOW_STORE = "windows";
    static final String DIRTY_STORE = "dirty-windows";
    static final String DLQ_SINK = "dlq";
    static final String TOTALS_SINK = "totals";
    static final String TOO_LATE = "too_late";
    static final String NOT_JSON = "not_json";
    /** Extension of recovered events (usage-source reconciliation). */
    static final String RECONCILED = "reconciled";
    private static final byte[] DIRTY = new byte[0];

    private final MeterLookup meters;
    private final AggregationMetrics metrics;
    private final AggregationConfig config;
    private final Clock clock;
    private final UsageEventValidator validator;

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, Long> dedup;
    private KeyValueStore<String, byte[]> windows;
    private KeyValueStore<String, byte[]> dirty;
    /** Deserialised windows, so hot windows are not decoded on every event; the store stays the truth. */
    private Map<String, WindowState> cache;
    /**
     * The dirty store's keys in the order they became dirty. The store is what survives a crash; it is read once
     * per (re)initialisation, never iterated while running: deleted keys leave tombstones that make RocksDB
     * iteration from the start slower and slower (measured: the hot spot of the first benchmark runs).
     */
    private Set<String> dirtyIds;

    AggregationProcessor(MeterLookup meters, AggregationMetrics metrics, AggregationConfig config, Clock clock) {
        this.meters = meters;
        this.metrics = metrics;
        this.config = config;
        this.clock = clock;
        this.validator = new UsageEventValidator(clock, config.lookback());
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.dedup = context.getStateStore(DEDUP_STORE);
        this.windows = context.getStateStore(WINDOW_STORE);
        this.dirty = context.getStateStore(DIRTY_STORE);
        int cacheSize = config.windowCacheSize();
        // a revived task calls init again: start from the stores, never from what an aborted transaction left here
        this.dirtyIds = new LinkedHashSet<>();
        try (KeyValueIterator<String, byte[]> iterator = dirty.all()) {
            while (iterator.hasNext()) {
                dirtyIds.add(iterator.next().key);
            }
        }
        this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, WindowState> eldest) {
                return size() > cacheSize;
            }
        };
        context.schedule(config.emitInterval(), PunctuationType.WALL_CLOCK_TIME, this::emitChanged);
        context.schedule(config.sweepInterval(), PunctuationType.WALL_CLOCK_TIME, timestamp -> sweep());
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
        if (dedup.get(dedupKey) != null) {
            metrics.deduplicated();
            recordDuplicate(event, hour);
            return;
        }
        dedup.put(dedupKey, eventTime);
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
        WindowState state = cache.get(id);
        if (state == null) {
            byte[] stored = windows.get(id);
            state = stored != null ? WindowState.fromBytes(stored)
                    : WindowState.empty(meter.key(), event.subject(), groupKey, group, hour, meter.aggregation());
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
        store(id, state);
    }

    private void store(String id, WindowState state) {
        windows.put(id, state.toBytes());
        if (dirtyIds.add(id)) {
            dirty.put(id, DIRTY);
        }
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
            WindowState state = cache.get(id);
            if (state == null) {
                byte[] stored = windows.get(id);
                if (stored == null) {
                    continue;
                }
                state = WindowState.fromBytes(stored);
                cache.put(id, state);
            }
            state.duplicates++;
            state.version++;
            store(id, state);
        }
    }

    /**
     * Forwards the absolute totals of windows changed since their last emission, oldest change first, at most
     * {@code emit-max-windows} per task and interval: under a heavy backlog the output (and MongoDB writes) stay
     * bounded and every changed window still gets its turn.
     */
    private void emitChanged(long timestamp) {
        int budget = config.emitMaxWindows();
        Iterator<String> pending = dirtyIds.iterator();
        while (pending.hasNext() && budget-- > 0) {
            String id = pending.next();
            pending.remove();
            // the store holds the window's current bytes (every update writes them): forwarded as they are
            byte[] stored = windows.get(id);
            if (stored != null) {
                context.forward(new Record<>(id.getBytes(StandardCharsets.UTF_8), stored, timestamp), TOTALS_SINK);
            }
            dirty.delete(id);
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
