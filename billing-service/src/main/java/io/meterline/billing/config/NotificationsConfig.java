package io.meterline.billing.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;

/** {@code billing.notifications.*}: publication of closed periods to Kafka and to signed outgoing webhooks. */
public interface NotificationsConfig {

    /**
     * Record what would be sent to webhook endpoints, send nothing (health and each run's log line say so). Also in
     * effect, automatically, while no enabled endpoint is configured. The Kafka topic is always written.
     */
    @WithDefault("false")
    boolean dryRun();

    /** Topic the closed periods are published to (key = customer). */
    @WithDefault("usage-periods")
    String topic();

    /** How often due webhook deliveries are sent; {@code off} disables delivery. */
    @WithDefault("1s")
    String dispatchEvery();

    /** Attempts per delivery before it is {@code dead} (an operator can replay it). */
    @WithDefault("8")
    int maxAttempts();

    /** First retry delay; doubles per attempt with full jitter, capped by {@link #backoffMax()}. */
    @WithDefault("PT1S")
    Duration backoffBase();

    @WithDefault("PT10M")
    Duration backoffMax();

    /** Per request: connect and answer. */
    @WithDefault("PT10S")
    Duration requestTimeout();

    /**
     * A delivery claimed by an instance that died is attempted again this long after it was claimed; longer than
     * {@link #requestTimeout()}, so a live instance always finishes its attempt first.
     */
    @WithDefault("PT1M")
    Duration claimTimeout();

    /** Deliveries sent at once per instance. */
    @WithDefault("16")
    int concurrency();

    /**
     * Closed periods whose publication was started but not recorded (a crash) are checked against the topic and
     * published if absent after this long; more than the producer's transaction timeout (60 s).
     */
    @WithDefault("PT2M")
    Duration publishRecoveryAfter();

    /** How often unfinished publications are looked for. */
    @WithDefault("30s")
    String publishRecoveryEvery();
}
