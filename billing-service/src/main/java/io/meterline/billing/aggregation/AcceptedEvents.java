package io.meterline.billing.aggregation;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import org.apache.kafka.streams.errors.InvalidStateStoreException;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Whether Meterline accepted an event: its (source, id) key is in the deduplication store, which holds every counted
 * event of the lookback. Reads this instance's tasks (interactive query); with several billing instances, each
 * answers for the partitions it owns, so source reconciliation runs where the aggregation runs (see
 * docs/decisions/0081).
 */
@ApplicationScoped
public class AcceptedEvents {

    private final KafkaStreams streams;

    public AcceptedEvents(KafkaStreams streams) {
        this.streams = streams;
    }

    /**
     * A reader over the store; {@code test(dedupKey)} is true when that event was accepted. A lookup waits up to
     * {@code patience} while the store is not queryable (the application starting or rebalancing), then throws
     * {@link IllegalStateException}.
     */
    public Predicate<String> reader(Duration patience) {
        return new Predicate<>() {
            private ReadOnlyKeyValueStore<String, Long> store;

            @Override
            public boolean test(String dedupKey) {
                long deadline = System.nanoTime() + patience.toNanos();
                while (true) {
                    try {
                        if (store == null) {
                            store = streams.store(StoreQueryParameters.fromNameAndType(AggregationProcessor.DEDUP_STORE,
                                    QueryableStoreTypes.<String, Long>keyValueStore()));
                        }
                        return store.get(dedupKey) != null;
                    } catch (InvalidStateStoreException e) {
                        store = null;
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("aggregation's deduplication store is not queryable (state "
                                    + streams.state() + ")", e);
                        }
                        LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
                    }
                }
            }
        };
    }
}
