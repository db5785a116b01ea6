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
 * of failing deserialisation), one processor with three persistent stores, two sinks (DLQ, window totals).
 */
@ApplicationScoped
public class AggregationTopology {

    static final String SOURCE = "usage-events";
    static final String PROCESSOR = "aggregate";

    private final MeterLookup meters;
    private final AggregationMetrics metrics;
    private final BillingConfig config;

    public AggregationTopology(MeterLookup meters, AggregationMetrics metrics, BillingConfig config) {
        this.meters = meters;
        this.metrics = metrics;
        this.config = config;
    }

    @Produces
    public Topology topology() {
        return build(meters, metrics, config.aggregation(), Clock.systemUTC());
    }

    /** The topology itself, also what {@code AggregationProcessorTests} drive with a {@code TopologyTestDriver}. */
    static Topology build(MeterLookup meters, AggregationMetrics metrics, AggregationConfig aggregation, Clock clock) {
        // before the stream threads' producers compress their first batch
        NativeLz4.enable();
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), aggregation.inputTopic());
        topology.addProcessor(PROCESSOR,
                () -> new AggregationProcessor(meters, metrics, aggregation, clock), SOURCE);
        // no record cache for the dedup keys and the windows (decision 0026): a dedup key is written once and read
        // again only for a repeat; a window is read from the processor's own map of deserialised windows, and with
        // a commit every 100 ms nearly every window put is flushed anyway. The cache's sorted map cost a quarter of
        // the stream threads' time; only the dirty marks keep it (a mark set and cleared between commits is never
        // written)
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(AggregationProcessor.DEDUP_STORE), Serdes.String(), Serdes.Long()),
                PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(AggregationProcessor.WINDOW_STORE), Serdes.String(), Serdes.ByteArray()),
                PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(AggregationProcessor.DIRTY_STORE), Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled(), PROCESSOR);
        topology.addSink(AggregationProcessor.DLQ_SINK, aggregation.dlqTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), PROCESSOR);
        topology.addSink(AggregationProcessor.TOTALS_SINK, aggregation.totalsTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), PROCESSOR);
        return topology;
    }
}
