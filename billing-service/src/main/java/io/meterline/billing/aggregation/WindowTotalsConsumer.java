package io.meterline.billing.aggregation;

import io.meterline.billing.balance.UsageCharges;
import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.usage.UsageWindowRepository;
import io.meterline.model.UsageEventJson;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies window totals from the totals topic into MongoDB. Reads only committed Kafka Streams output
 * ({@code read_committed}), keeps the highest version per window within a poll (one write per window per batch),
 * writes them in one unordered bulk write guarded by version, and commits offsets only after MongoDB accepted it.
 * A crash anywhere replays from the last commit; the replayed writes are no-ops or rewrite the same totals.
 */
@ApplicationScoped
public class WindowTotalsConsumer {

    private static final Logger LOG = Logger.getLogger(WindowTotalsConsumer.class);

    private final UsageWindowRepository repository;
    private final UsageCharges usageCharges;
    private final AggregationMetrics metrics;
    private final MeterRegistry registry;
    private final BillingConfig config;
    private final String bootstrapServers;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public WindowTotalsConsumer(UsageWindowRepository repository, AggregationMetrics metrics, MeterRegistry registry,
            BillingConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            UsageCharges usageCharges) {
        this.repository = repository;
        this.usageCharges = usageCharges;
        this.metrics = metrics;
        this.registry = registry;
        this.config = config;
        this.bootstrapServers = bootstrapServers;
    }

    void onStart(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::run, "window-totals-writer");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the writer loop is alive (readiness). */
    public boolean running() {
        return running && thread != null && thread.isAlive();
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, byte[]> created = new KafkaConsumer<>(consumerConfig(),
                    new StringDeserializer(), new ByteArrayDeserializer());
                    KafkaClientMetrics clientMetrics = new KafkaClientMetrics(created)) {
                clientMetrics.bindTo(registry);
                consumer = created;
                created.subscribe(List.of(config.aggregation().totalsTopic()));
                while (running) {
                    ConsumerRecords<String, byte[]> records = created.poll(Duration.ofMillis(200));
                    if (records.isEmpty()) {
                        continue;
                    }
                    Map<String, WindowTotal> latest = new HashMap<>(records.count() * 2);
                    for (ConsumerRecord<String, byte[]> record : records) {
                        WindowTotal total = parse(record);
                        if (total != null) {
                            latest.merge(total.id(), total, (a, b) -> a.version() >= b.version() ? a : b);
                        }
                    }
                    long stale = writeWithRetry(latest);
                    metrics.windowWrites(latest.size() - stale, stale);
                    created.commitSync();
                }
            } catch (WakeupException e) {
                // shutting down
            } catch (RuntimeException e) {
                if (running) {
                    LOG.errorf(e, "window writer failed; restarting from the last committed offsets");
                    pause(Duration.ofSeconds(1));
                }
            } finally {
                consumer = null;
            }
        }
    }

    private long writeWithRetry(Map<String, WindowTotal> latest) {
        Duration backoff = Duration.ofMillis(100);
        while (true) {
            try {
                long stale = repository.upsertAll(latest.values());
                // prepaid balances are drawn down before the offsets commit: a crash replays the batch here too
                usageCharges.charge(latest.values());
                return stale;
            } catch (RuntimeException e) {
                if (!running) {
                    throw e;
                }
                LOG.warnf("writing %d windows to MongoDB failed (%s); retrying in %s", latest.size(), e.getMessage(), backoff);
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5)
                        : backoff.multipliedBy(2);
            }
        }
    }

    private static WindowTotal parse(ConsumerRecord<String, byte[]> record) {
        try {
            return UsageEventJson.mapper().readValue(record.value(), WindowTotal.class);
        } catch (IOException e) {
            // only Kafka Streams writes this topic; a record we cannot read is a bug, not data to guess at
            LOG.errorf("unreadable window total at %s-%d@%d: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return null;
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> properties = new HashMap<>();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, config.aggregation().writerGroupId());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.aggregation().writerMaxPollRecords());
        // large polls let one bulk write absorb several versions of a busy window
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, config.aggregation().writerGroupId() + "-" + ProcessHandle.current().pid());
        return properties;
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
