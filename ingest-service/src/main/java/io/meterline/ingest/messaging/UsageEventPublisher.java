package io.meterline.ingest.messaging;

import io.meterline.ingest.config.IngestConfig;
import io.meterline.ingest.domain.EventOutcome;
import io.meterline.model.Topics;
import io.meterline.model.UsageEvent;
import io.meterline.model.UsageEventJson;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes accepted events to the usage topic, keyed by subject, with the principal and receive time in headers.
 * The returned stage completes only when Kafka acknowledged every record of the call (or fails when any
 * record failed or timed out), which is what lets the API answer 202 truthfully.
 */
@ApplicationScoped
public class UsageEventPublisher {

    private static final Logger LOG = Logger.getLogger(UsageEventPublisher.class);

    /** Per record besides key and value: headers and the record batch's own bytes, rounded up. */
    private static final int RECORD_OVERHEAD = 128;

    private final Producer<String, byte[]> producer;
    private final String topic;
    /** Above this many bytes in flight, {@link #mayBlock()} says a {@code send()} could wait for buffer space. */
    private final long inFlightBound;
    private final AtomicLong inFlightBytes = new AtomicLong();
    private volatile boolean metadataKnown;

    public UsageEventPublisher(Producer<String, byte[]> producer, IngestConfig config) {
        this.producer = producer;
        this.topic = config.topic();
        this.inFlightBound = config.producer().bufferMemory() / 2;
    }

    /**
     * Whether a {@code send()} now could wait (up to {@code max.block.ms}): while the topic's metadata has not been
     * fetched yet, or while the bytes of records sent but not yet acknowledged exceed half of {@code buffer.memory}
     * (the producer blocks only when its buffer is full; the half leaves room for partly filled batches).
     */
    public boolean mayBlock() {
        return !metadataKnown || inFlightBytes.get() > inFlightBound;
    }

    /**
     * Fetches the topic's metadata off the event loop at startup: until it is known, {@code send()} blocks its
     * caller (up to {@code max.block.ms}), and the caller is an event-loop thread.
     */
    void warmUp(@Observes StartupEvent startup) {
        Thread warmer = new Thread(() -> {
            for (int attempt = 1; attempt <= 120; attempt++) {
                try {
                    producer.partitionsFor(topic);
                    metadataKnown = true;
                    return;
                } catch (RuntimeException e) {
                    LOG.debugf("topic metadata not available yet (attempt %d): %s", attempt, e.getMessage());
                }
            }
            LOG.warnf("could not fetch metadata of topic %s at startup; the first requests will fetch it", topic);
        }, "ingest-metadata-warmup");
        warmer.setDaemon(true);
        warmer.start();
    }

    /** Publishes the events of accepted outcomes, each value written by {@link UsageEventJson#toBytes(UsageEvent, String)}. */
    public CompletionStage<Void> publish(List<EventOutcome> events, String principal, Instant receivedAt) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (events.isEmpty()) {
            done.complete(null);
            return done;
        }
        Header principalHeader = new RecordHeader(Topics.HEADER_PRINCIPAL, principal.getBytes(StandardCharsets.UTF_8));
        Header receivedHeader = new RecordHeader(Topics.HEADER_RECEIVED_AT,
                receivedAt.toString().getBytes(StandardCharsets.UTF_8));
        Acknowledgements acks = new Acknowledgements(events.size(), done);
        long bytes = 0;
        for (int i = 0; i < events.size(); i++) {
            UsageEvent event = events.get(i).event();
            byte[] value = UsageEventJson.toBytes(event, events.get(i).dataJson());
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, event.partitionKey(),
                    value, List.of(principalHeader, receivedHeader));
            long size = value.length + event.partitionKey().length() + RECORD_OVERHEAD;
            bytes += size;
            inFlightBytes.addAndGet(size);
            try {
                producer.send(record, acks);
            } catch (RuntimeException e) {
                // send() itself failed (metadata or buffer wait exceeded max.block.ms): the rest is not sent
                acks.failRemaining(events.size() - i, e);
                break;
            }
        }
        long sent = bytes;
        done.whenComplete((ignored, failure) -> {
            inFlightBytes.addAndGet(-sent);
            if (failure == null) {
                metadataKnown = true;
            }
        });
        return done;
    }

    /** Counts acknowledgements down; the last one completes the call's stage. */
    private static final class Acknowledgements implements Callback {
        private final AtomicInteger pending;
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final CompletableFuture<Void> done;

        Acknowledgements(int count, CompletableFuture<Void> done) {
            this.pending = new AtomicInteger(count);
            this.done = done;
        }

        @Override
        public void onCompletion(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception exception) {
            if (exception != null) {
                failure.compareAndSet(null, exception);
            }
            countDown(1);
        }

        void failRemaining(int count, Exception exception) {
            failure.compareAndSet(null, exception);
            countDown(count);
        }

        private void countDown(int count) {
            if (pending.addAndGet(-count) == 0) {
                Exception error = failure.get();
                if (error == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(error);
                }
            }
        }
    }
}
