package io.meterline.billing.aggregation;

import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

import java.util.Map;

/**
 * A state store that holds nothing and runs its task's action right before every commit: Kafka Streams flushes each
 * task's record caches before it flushes the producer and commits the transaction (on the commit interval, on
 * revocation and on a clean close), and this store presents itself as such a cache. What the action writes to the
 * task's logged stores therefore goes into the transaction that commits the input offsets it stands for
 * (decision 0028).
 *
 * <p>{@link CachedStateStore} is Kafka Streams' internal interface for exactly this step (the DSL's record caches
 * use it). {@code AggregationProcessorTests} (a {@code TopologyTestDriver} commits after every record) and the
 * process-level crash and two-instance tests break if a Kafka Streams upgrade stops calling it.
 */
final class BeforeCommit implements StateStore, CachedStateStore<Object, Object> {

    private final String name;
    private Runnable action = () -> { };
    private boolean open;

    private BeforeCommit(String name) {
        this.name = name;
    }

    /** A builder for the topology: not logged (it holds nothing), no cache of its own. */
    static StoreBuilder<BeforeCommit> builder(String name) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<BeforeCommit> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<BeforeCommit> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<BeforeCommit> withLoggingEnabled(Map<String, String> config) {
                return this;
            }

            @Override
            public StoreBuilder<BeforeCommit> withLoggingDisabled() {
                return this;
            }

            @Override
            public BeforeCommit build() {
                return new BeforeCommit(name);
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    /** What to do before each commit of this store's task; set by the processor in its {@code init}. */
    void run(Runnable action) {
        this.action = action;
    }

    @Override
    public void flushCache() {
        action.run();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public void clearCache() {
        // nothing cached
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> { });
        open = true;
    }

    @Override
    public void flush() {
        // nothing stored
    }

    @Override
    public void close() {
        action = () -> { };
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public Position getPosition() {
        return Position.emptyPosition();
    }
}
