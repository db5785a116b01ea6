package io.meterline.billing.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;

/** {@code billing.aggregation.*}: the Kafka Streams pipeline and the MongoDB writer behind it. */
public interface AggregationConfig {

    /** Topic with usage events (the public interface producers write to). */
    @WithDefault("usage-events")
    String inputTopic();

    /** Where records that cannot be used go, with the reason in headers. */
    @WithDefault("usage-events.dlq")
    String dlqTopic();

    /** Absolute hourly window totals, keyed by window id; read by the MongoDB writer. */
    @WithDefault("usage-window-totals")
    String totalsTopic();

    /** Partitions for the topics created at start-up when missing (existing topics are left alone). */
    @WithDefault("3")
    int topicPartitions();

    /** Events older than this (by event time) go to the DLQ with reason {@code too_late}; also the dedup horizon. */
    @WithDefault("P35D")
    Duration lookback();

    /** How often changed windows are emitted (absolute totals); bounds MongoDB writes per window. */
    @WithDefault("PT0.1S")
    Duration emitInterval();

    /**
     * Most windows one task emits per {@link #emitInterval()}: bounds the totals topic and MongoDB writes while a
     * backlog is processed (emission continues round-robin, so every changed window is emitted in turn).
     */
    @WithDefault("500")
    int emitMaxWindows();

    /** How often expired dedup keys and windows (older than the lookback) are swept out of the state stores. */
    @WithDefault("PT10M")
    Duration sweepInterval();

    /** Windows kept deserialised in memory per task (the state store stays the truth). */
    @WithDefault("50000")
    int windowCacheSize();

    /** A window counts as closed this long after its end (late events inside the lookback still update it). */
    @WithDefault("PT0S")
    Duration closedGrace();

    /** Consumer group of the MongoDB writer (it reads the totals topic with read_committed). */
    @WithDefault("billing-window-writer")
    String writerGroupId();

    /** Records per poll of the MongoDB writer; each poll becomes one bulk write. */
    @WithDefault("5000")
    int writerMaxPollRecords();

    /** How often meters are re-read from MongoDB, so changes made through another instance are seen. */
    @WithDefault("PT5S")
    Duration meterRefreshInterval();
}
