package io.meterline.billing.aggregation;

import io.meterline.billing.balance.UsageCharges;
import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.kafka.ConsumerLoop;
import io.meterline.billing.kafka.KafkaClientConfig;
import io.meterline.billing.usage.UsageWindowRepository;
import io.meterline.model.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies window totals into MongoDB from the changelog of the aggregation's {@code windows} store, where each
 * commit leaves every window it changed once (decision 0028). Reads only committed Kafka Streams output
 * ({@code read_committed}) and gathers every total that is there, keeping the highest version per window, before it
 * writes them in unordered bulk writes guarded by version; offsets are committed only after MongoDB accepted them.
 * While a write runs, new totals queue in the topic and the next write takes them all at once, so a window changed
 * fifty times meanwhile is written once: the writes adapt to what MongoDB can take instead of queueing behind it
 * (decision 0026). After a write it keeps gathering for as long as the write took ({@code writer-gather-factor}),
 * so in a backlog MongoDB spends at most about half its time on window writes (decision 0027), unless the
 * aggregation has caught up ({@link #sourceQuiet}, decisions 0028 and 0029). A crash anywhere
 * replays from the last commit; the replayed writes are no-ops or rewrite the same totals.
 */
@ApplicationScoped
public class WindowTotalsConsumer extends ConsumerLoop {

    private static final Logger LOG = Logger.getLogger(WindowTotalsConsumer.class);
    private static final int WRITTEN_REMEMBERED = 200_000;
    /** How long after the local aggregation's last commit the changelog must stay quiet before the writer writes. */
    private static final Duration AFTER_COMMIT = Duration.ofMillis(200);
    /** Windows per bulk write: between two, a flush can take in newer totals (see {@link #flush}). */
    private static final int WRITE_CHUNK = 2_000;

    private final UsageWindowRepository repository;
    private final UsageCharges usageCharges;
    private final AggregationMetrics metrics;
    private final BillingConfig config;
    private final KafkaClientConfig kafka;
    private final String topic;
    /** One and a half Kafka Streams commit intervals: a longer silence of the changelog means its source stopped. */
    private final Duration quietAfter;
    private final RecentWindows recent;

    public WindowTotalsConsumer(UsageWindowRepository repository, AggregationMetrics metrics, MeterRegistry registry,
            BillingConfig config, KafkaClientConfig kafka, UsageCharges usageCharges, RecentWindows recent,
            @ConfigProperty(name = "quarkus.kafka-streams.application-id") String applicationId,
            @ConfigProperty(name = "kafka-streams.commit.interval.ms", defaultValue = "1000") long commitIntervalMs) {
        super("window-totals-writer", registry);
        this.repository = repository;
        this.usageCharges = usageCharges;
        this.metrics = metrics;
        this.config = config;
        this.kafka = kafka;
        this.topic = Topics.windowsChangelog(applicationId);
        this.quietAfter = Duration.ofMillis(commitIntervalMs * 3 / 2);
        this.recent = recent;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.aggregation().writerEnabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    @Override
    protected String topic() {
        return topic;
    }

    /** The totals gathered since the last write, highest version per window. Only the loop's thread uses it. */
    private final Map<String, WindowTotal> latest = new HashMap<>();
    /**
     * The versions this writer last wrote, most recently written last, at most {@link #WRITTEN_REMEMBERED}: a window
     * written again needs no read of its stored version first (decision 0028). Only the loop's thread uses it.
     */
    private final Map<String, Long> written = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > WRITTEN_REMEMBERED;
        }
    };
    /** How long the last write took (gathering before the next one scales with it). Only the loop's thread uses it. */
    private long lastWriteNanos;

    @Override
    protected boolean coalescing() {
        return true;
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            if (record.value() == null) {
                continue; // the sweep removed a window older than the lookback from the store; MongoDB keeps it
            }
            WindowTotal total = parse(record);
            if (total != null) {
                latest.merge(total.id(), total, (a, b) -> a.version() >= b.version() ? a : b);
            }
        }
    }

    @Override
    protected boolean wantsMore() {
        return latest.size() < config.aggregation().writerMaxWindows();
    }

    @Override
    protected Duration gatherAtLeast() {
        Duration gather = Duration.ofNanos((long) (lastWriteNanos * config.aggregation().writerGatherFactor()));
        Duration max = config.aggregation().writerMaxGather();
        return gather.compareTo(max) > 0 ? max : gather;
    }

    /**
     * Gathering for the last write's duration leaves MongoDB room while the aggregation still runs; once it has
     * stopped, waiting longer only delays the last windows. It has stopped when this instance's stream tasks have
     * committed every change and nothing arrived for {@link #AFTER_COMMIT} since (the commit's windows reach this
     * consumer within milliseconds), or, whoever feeds the changelog, when nothing arrived for one and a half commit
     * intervals (decision 0029).
     */
    @Override
    protected boolean sourceQuiet(long lastRecordsNanos) {
        long now = System.nanoTime();
        if (now - lastRecordsNanos >= quietAfter.toNanos()) {
            return true;
        }
        return recent.allCommitted()
                && now - Math.max(lastRecordsNanos, recent.lastCommitNanos()) >= AFTER_COMMIT.toNanos();
    }

    /**
     * Writes what was gathered, {@link #WRITE_CHUNK} windows at a time. Once the local aggregation has committed every
     * change, newer totals waiting in the changelog are taken in between chunks (for at most
     * {@code writer-max-gather}): the windows not written yet get their newest version, and windows already written
     * that changed again are written again, instead of the last commit's totals waiting for the end of a write of
     * older ones (decision 0029).
     */
    @Override
    protected void flush() {
        long started = System.nanoTime();
        long takeUntil = started + config.aggregation().writerMaxGather().toNanos();
        long windows = 0;
        long stale = 0;
        try {
            while (!latest.isEmpty()) {
                List<WindowTotal> chunk = new ArrayList<>(Math.min(WRITE_CHUNK, latest.size()));
                for (Iterator<WindowTotal> iterator = latest.values().iterator(); iterator.hasNext()
                        && chunk.size() < WRITE_CHUNK; ) {
                    chunk.add(iterator.next());
                    iterator.remove();
                }
                stale += writeWithRetry(chunk);
                windows += chunk.size();
                if (recent.allCommitted() && System.nanoTime() < takeUntil) {
                    takeWaiting();
                }
            }
            metrics.windowWrites(windows - stale, stale);
            LOG.debugf("wrote %d windows (%d stale) in %d ms", windows, stale, (System.nanoTime() - started) / 1_000_000);
        } finally {
            // written, or the loop restarts from the last committed offsets and gathers these again
            latest.clear();
            lastWriteNanos = System.nanoTime() - started;
        }
    }

    private long writeWithRetry(List<WindowTotal> totals) {
        Duration backoff = Duration.ofMillis(100);
        while (true) {
            try {
                long stale = repository.upsertAll(totals, written);
                // prepaid balances are drawn down before the offsets commit: a crash replays the batch here too
                usageCharges.charge(totals);
                return stale;
            } catch (RuntimeException e) {
                if (!isRunning()) {
                    throw e;
                }
                LOG.warnf("writing %d windows to MongoDB failed (%s); retrying in %s", totals.size(), e.getMessage(), backoff);
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5)
                        : backoff.multipliedBy(2);
            }
        }
    }

    private static WindowTotal parse(ConsumerRecord<String, byte[]> record) {
        try {
            return WindowTotal.of(WindowState.fromBytes(record.value()));
        } catch (RuntimeException e) {
            // only Kafka Streams writes this topic; a record we cannot read is a bug, not data to guess at
            LOG.errorf("unreadable window total at %s-%d@%d: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return null;
        }
    }

    @Override
    protected Map<String, Object> consumerConfig() {
        Map<String, Object> properties = new HashMap<>();
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, config.aggregation().writerGroupId());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Kafka Streams creates the changelog (compacted) when it first starts; never let this consumer create it
        properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.aggregation().writerMaxPollRecords());
        // large polls let one bulk write absorb several versions of a busy window
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, config.aggregation().writerGroupId() + "-" + ProcessHandle.current().pid());
        return kafka.consumer(properties);
    }
}
