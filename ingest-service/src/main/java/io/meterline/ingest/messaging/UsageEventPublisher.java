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
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes accepted events to the usage topic, keyed by subject, with the principal and receive time in headers.
 * The returned stage completes only when Kafka acknowledged every record of the call (or fails when any
 * record failed or timed out), which is what lets the API answer 202 truthfully.
 */
@ApplicationScoped
public class UsageEventPublisher {

    private static final Logger LOG = Logger.getLogger(UsageEventPublisher.class);

    private final Producer<String, byte[]> producer;
    private final String topic;

    public UsageEventPublisher(Producer<String, byte[]> producer, IngestConfig config) {
        this.producer = producer;
        this.topic = config.topic();
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
        for (int i = 0; i < events.size(); i++) {
            UsageEvent event = events.get(i).event();
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, event.partitionKey(),
                    UsageEventJson.toBytes(event, events.get(i).dataJson()), List.of(principalHeader, receivedHeader));
            try {
                producer.send(record, acks);
            } catch (RuntimeException e) {
                // send() itself failed (metadata or buffer wait exceeded max.block.ms): the rest is not sent
                acks.failRemaining(events.size() - i, e);
                break;
            }
        }
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
