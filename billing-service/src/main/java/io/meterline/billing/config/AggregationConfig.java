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

    /** Partitions for the topics created at start-up when missing (existing topics are left alone). */
    @WithDefault("3")
    int topicPartitions();

    /** Events older than this (by event time) go to the DLQ with reason {@code too_late}; also the dedup horizon. */
    @WithDefault("P35D")
    Duration lookback();

    /**
     * How often windows changed since the last commit are published to usage queries (the windows store and
     * MongoDB receive them at each commit, {@code kafka-streams.commit.interval.ms}; decision 0028).
     */
    @WithDefault("PT0.1S")
    Duration liveInterval();

    /** How often expired dedup keys and windows (older than the lookback) are swept out of the state stores. */
    @WithDefault("PT10M")
    Duration sweepInterval();

    /** Windows kept deserialised in memory per task (the state store stays the truth). */
    @WithDefault("50000")
    int windowCacheSize();

    /** A window counts as closed this long after its end (late events inside the lookback still update it). */
    @WithDefault("PT0S")
    Duration closedGrace();

    /**
     * Whether usage queries also read the Kafka Streams windows store (interactive queries), so what was aggregated
     * is visible before the writer copied it to MongoDB, and are forwarded to the instance that owns the customer
     * when {@code quarkus.kafka-streams.application-server} names each instance (decision 0026).
     */
    @WithDefault("true")
    boolean liveQueries();

    /**
     * Whether this instance copies windows to MongoDB. Off only where MongoDB must not receive them (the tests of
     * usage answered from the aggregation alone).
     */
    @WithDefault("true")
    boolean writerEnabled();

    /** Consumer group of the MongoDB writer (it reads the windows store's changelog with read_committed). */
    @WithDefault("billing-window-writer")
    String writerGroupId();

    /** Records per poll of the MongoDB writer (it gathers several polls into one write, see writerMaxWindows). */
    @WithDefault("5000")
    int writerMaxPollRecords();

    /**
     * Most windows the MongoDB writer gathers into one bulk write. It writes what the changelog holds, up to
     * this many windows, so a busy window is written once per write however often it changed meanwhile.
     */
    @WithDefault("20000")
    int writerMaxWindows();

    /**
     * After a write that took {@code d}, the MongoDB writer gathers for at least {@code d × this} before the next
     * one (capped at {@link #writerMaxGather()}). 1 keeps window writes to at most about half of MongoDB's time in a
     * backlog, with fewer and larger writes; an ordinary write of milliseconds waits milliseconds. 0 writes as soon as
     * nothing more is waiting. Usage queries do not wait for MongoDB (decision 0026); reporting, closing and prepaid
     * charges read what it holds.
     */
    @WithDefault("1")
    double writerGatherFactor();

    /** The longest the MongoDB writer keeps gathering because of {@link #writerGatherFactor()}. */
    @WithDefault("PT5S")
    Duration writerMaxGather();

    /** How often meters are re-read from MongoDB, so changes made through another instance are seen. */
    @WithDefault("PT5S")
    Duration meterRefreshInterval();
}
