package io.meterline.billing.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A consumer on its own thread that hands each non-empty poll to {@link #handle} and commits the offsets only after
 * it returned (at-least-once: {@code handle} must make the effect durable and be safe to replay). A failure closes
 * the consumer and starts again from the last committed offsets, after a pause that doubles up to 30 s; the last
 * failure is kept for readiness (a wrong password is named there instead of the service just never becoming ready).
 */
public abstract class ConsumerLoop {

    private static final Logger LOG = Logger.getLogger(ConsumerLoop.class);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    /** How long a gathering poll waits: one fetch round trip on a local broker, not a wait for new records. */
    private static final Duration GATHER_POLL = Duration.ofMillis(10);
    /** How often a gathering that waits out {@link #gatherAtLeast()} asks {@link #sourceQuiet}. */
    private static final long QUIET_CHECK_NANOS = Duration.ofMillis(50).toNanos();

    private final String name;
    private final MeterRegistry registry;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile String lastFailure;
    private Thread thread;
    private volatile CountDownLatch stopped = new CountDownLatch(1);

    /** For CDI client proxies of subclasses only. */
    protected ConsumerLoop() {
        this(null, null);
    }

    /**
     * @param name     thread name and log prefix
     * @param registry where to bind the consumer's client metrics (lag), or {@code null}
     */
    protected ConsumerLoop(String name, MeterRegistry registry) {
        this.name = name;
        this.registry = registry;
    }

    /** Consumer settings (from {@link KafkaClientConfig}), group id included. */
    protected abstract Map<String, Object> consumerConfig();

    protected abstract String topic();

    /**
     * Takes one poll. Without {@link #coalescing()} it makes the poll's effect durable; offsets are committed after it
     * returns. With it, it only gathers, and {@link #flush()} makes everything gathered since the last flush durable.
     */
    protected abstract void handle(ConsumerRecords<String, byte[]> records);

    /**
     * Whether {@link #handle} only gathers: the loop then polls on while {@link #wantsMore()} (waiting out
     * {@link #gatherAtLeast()}, then while records are there), then calls {@link #flush()} and commits. The longer
     * the last flush took, the more has arrived meanwhile, so the work per flush adapts to its cost by itself.
     */
    protected boolean coalescing() {
        return false;
    }

    /** With {@link #coalescing()}: whether another poll may be gathered before the next {@link #flush()}. */
    protected boolean wantsMore() {
        return false;
    }

    /** With {@link #coalescing()}: makes everything gathered durable; offsets are committed after it returns. */
    protected void flush() {
    }

    /**
     * With {@link #coalescing()}: how long to keep gathering (waiting for records) before the next flush, counted
     * from the first record of the gathering; zero flushes as soon as nothing more is waiting.
     */
    protected Duration gatherAtLeast() {
        return Duration.ZERO;
    }

    /**
     * With {@link #gatherAtLeast()}: whether the source has gone quiet, so waiting longer gathers nothing more and the
     * gathering ends early. {@code lastRecordsNanos}: when records last arrived ({@link System#nanoTime}).
     */
    protected boolean sourceQuiet(long lastRecordsNanos) {
        return false;
    }

    protected Duration pollTimeout() {
        return Duration.ofMillis(200);
    }

    public void start() {
        running = true;
        stopped = new CountDownLatch(1);
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        running = false;
        stopped.countDown();
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

    /** Whether the loop is alive (it may still be failing: see {@link #lastFailure()}). */
    public boolean running() {
        return running && thread != null && thread.isAlive();
    }

    /** Why the last poll failed, or {@code null} once a poll succeeded again. */
    public String lastFailure() {
        return lastFailure;
    }

    protected boolean isRunning() {
        return running;
    }

    private void run() {
        Duration pause = Duration.ofSeconds(1);
        while (running) {
            KafkaConsumer<String, byte[]> created = null;
            KafkaClientMetrics clientMetrics = null;
            boolean failed = false;
            try {
                created = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer());
                clientMetrics = registry == null ? null : new KafkaClientMetrics(created);
                if (clientMetrics != null) {
                    clientMetrics.bindTo(registry);
                }
                consumer = created;
                created.subscribe(List.of(topic()));
                while (running) {
                    ConsumerRecords<String, byte[]> records = created.poll(pollTimeout());
                    lastFailure = null;
                    pause = Duration.ofSeconds(1);
                    if (!records.isEmpty()) {
                        handle(records);
                        if (coalescing()) {
                            gather(created);
                            flush();
                        }
                        created.commitSync();
                    }
                }
            } catch (WakeupException e) {
                // shutting down
            } catch (RuntimeException e) {
                if (running) {
                    failed = true;
                    lastFailure = e.getClass().getSimpleName() + ": " + e.getMessage();
                    // Kafka's own errors say enough in one line; anything else is a bug and needs its stack
                    LOG.warnf(e instanceof KafkaException ? null : e,
                            "%s failed (%s); restarting from the last committed offsets in %s", name, lastFailure, pause);
                }
            } finally {
                consumer = null;
                close(created, clientMetrics);
            }
            if (failed) {
                pause(pause);
                pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
            }
        }
    }

    /**
     * Polls on while {@link #wantsMore()}: waiting until {@link #gatherAtLeast()} has passed (or the source went
     * quiet, {@link #sourceQuiet}), then while records are there.
     */
    private void gather(KafkaConsumer<String, byte[]> consumer) {
        long holdUntil = System.nanoTime() + gatherAtLeast().toNanos();
        long lastRecords = System.nanoTime();
        while (running && wantsMore()) {
            long remaining = holdUntil - System.nanoTime();
            ConsumerRecords<String, byte[]> records = consumer.poll(remaining > 0
                    ? Duration.ofNanos(Math.min(remaining, QUIET_CHECK_NANOS)) : GATHER_POLL);
            if (!records.isEmpty()) {
                handle(records);
                lastRecords = System.nanoTime();
            } else if (remaining <= 0 || sourceQuiet(lastRecords)) {
                return;
            }
        }
    }

    /**
     * With {@link #coalescing()}, from {@link #flush()} only: hands the records already waiting to {@link #handle}
     * without blocking, so a long flush can take in what arrived meanwhile; the offsets committed after the flush
     * then cover them too. Returns whether there were any.
     */
    protected boolean takeWaiting() {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ZERO);
        if (records.isEmpty()) {
            return false;
        }
        handle(records);
        return true;
    }

    /**
     * Closes without waiting for a rebalance in flight: offsets are committed after each handled poll, so nothing
     * is left to commit, and a JoinGroup pending while the group waits for a dead member's session (45 s by
     * default) held every shutdown for the whole {@link #stop} join, once per loop.
     */
    private void close(KafkaConsumer<String, byte[]> created, KafkaClientMetrics clientMetrics) {
        if (clientMetrics != null) {
            clientMetrics.close();
        }
        if (created == null) {
            return;
        }
        try {
            created.close(CloseOptions.timeout(CLOSE_TIMEOUT));
        } catch (RuntimeException e) {
            LOG.debugf("%s: closing the consumer: %s", name, e);
        }
    }

    /** Waits for {@code duration}, or less when {@link #stop} is called meanwhile. */
    protected void pause(Duration duration) {
        try {
            stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
