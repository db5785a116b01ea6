package io.meterline.ingest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Every setting of ingest-service (prefix {@code ingest}). Kafka's address is the standard {@code kafka.bootstrap.servers}. */
@ConfigMapping(prefix = "ingest")
public interface IngestConfig {

    /** Most events one request may carry; a bigger batch is refused whole with 413. */
    @WithDefault("1000")
    int maxBatchSize();

    /** How old an event's {@code time} may be. Stripe accepts meter events backdated up to 35 days. */
    @WithDefault("35D")
    Duration lookback();

    /** Topic accepted events are written to. */
    @WithDefault("usage-events")
    String topic();

    /**
     * How long a request waits for Kafka to acknowledge its events (the producer's {@code delivery.timeout.ms}).
     * Past it the request is answered 503 and no event of it is reported accepted.
     */
    @WithDefault("10S")
    Duration publishTimeout();

    /** Value of {@code Retry-After} (seconds) on 503 answers. */
    @WithDefault("5")
    int retryAfterSeconds();

    /** Producer tuning. */
    Producer producer();

    /** Readiness check of Kafka. */
    Readiness readiness();

    /** Token verification. */
    Auth auth();

    interface Auth {
        /** Verified tokens remembered (0 = verify every request). */
        @WithDefault("10000")
        int tokenCacheSize();

        /** Longest a verification is reused (a token's own expiry always applies). */
        @WithDefault("60S")
        java.time.Duration tokenCacheTtl();
    }

    interface Producer {
        /** {@code linger.ms}: how long the producer waits to fill a batch; the price of throughput in latency. */
        @WithDefault("5")
        int lingerMs();

        /** {@code batch.size} in bytes per partition. */
        @WithDefault("65536")
        int batchSize();

        /** {@code compression.type}. */
        @WithDefault("lz4")
        String compression();

        /**
         * {@code max.block.ms}: the longest {@code send()} may block the calling (event-loop) thread, which
         * happens only while topic metadata is unknown or the producer buffer is full.
         */
        @WithDefault("500")
        int maxBlockMs();

        /** {@code buffer.memory} in bytes. */
        @WithDefault("33554432")
        long bufferMemory();
    }

    interface Readiness {
        /** How long one Kafka probe may take. */
        @WithDefault("2S")
        Duration timeout();

        /** How long a probe result is reused, so that frequent probes do not load the broker. */
        @WithDefault("2S")
        Duration cacheFor();
    }
}
