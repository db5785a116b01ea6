package io.meterline.billing.aggregation;

import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.config.AggregationConfig;
import io.meterline.billing.meter.MeterLookup;
import io.meterline.model.kafka.NativeLz4;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import java.time.Clock;

/**
 * The Kafka Streams topology: one source (usage events, raw bytes so that malformed records reach the DLQ instead
 * of failing deserialisation), one processor with two persistent stores and a {@link BeforeCommit} hook, one sink
 * (DLQ). The window totals leave through the {@code windows} store's changelog, which the MongoDB writer reads.
 */
@ApplicationScoped
public class AggregationTopology {

    static final String SOURCE = "usage-events";
    static final String PROCESSOR = "aggregate";

    private final MeterLookup meters;
    private final AggregationMetrics metrics;
    private final BillingConfig config;
    private final RecentWindows recent;

    public AggregationTopology(MeterLookup meters, AggregationMetrics metrics, BillingConfig config,
            RecentWindows recent) {
        this.meters = meters;
        this.metrics = metrics;
        this.config = config;
        this.recent = recent;
    }

    @Produces
    public Topology topology() {
        return build(meters, metrics, config.aggregation(), Clock.systemUTC(), recent);
    }

    /** The topology itself, also what {@code AggregationProcessorTests} drive with a {@code TopologyTestDriver}. */
    static Topology build(MeterLookup meters, AggregationMetrics metrics, AggregationConfig aggregation, Clock clock,
            RecentWindows recent) {
        // before the stream threads' producers compress their first batch
        NativeLz4.enable();
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), aggregation.inputTopic());
        topology.addProcessor(PROCESSOR,
                () -> new AggregationProcessor(meters, metrics, aggregation, clock, recent), SOURCE);
        // no record cache: the processor keeps what changed since the last commit itself and writes it once, right
        // before the commit (decision 0028)
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(AggregationProcessor.DEDUP_STORE), Serdes.String(), Serdes.Long()),
                PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(AggregationProcessor.WINDOW_STORE), Serdes.String(), Serdes.ByteArray()),
                PROCESSOR);
        topology.addStateStore(BeforeCommit.builder(AggregationProcessor.BEFORE_COMMIT), PROCESSOR);
        topology.addSink(AggregationProcessor.DLQ_SINK, aggregation.dlqTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), PROCESSOR);
        return topology;
    }
}
