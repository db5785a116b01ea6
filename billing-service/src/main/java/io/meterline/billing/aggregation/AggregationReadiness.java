package io.meterline.billing.aggregation;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the Kafka Streams client is RUNNING or REBALANCING (a rebalance is routine when instances come and go)
 * and the MongoDB writer loop is alive. CREATED (not started yet: e.g. waiting for topics), PENDING_ERROR, ERROR
 * and shutdown states are not ready.
 */
@Readiness
@ApplicationScoped
public class AggregationReadiness implements HealthCheck {

    private final KafkaStreams streams;
    private final WindowTotalsConsumer writer;

    public AggregationReadiness(KafkaStreams streams, WindowTotalsConsumer writer) {
        this.streams = streams;
        this.writer = writer;
    }

    @Override
    public HealthCheckResponse call() {
        KafkaStreams.State state = streams.state();
        boolean streamsOk = state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
        boolean writerOk = writer.running();
        return HealthCheckResponse.named("usage aggregation")
                .status(streamsOk && writerOk)
                .withData("kafkaStreams", state.name())
                .withData("mongoWriter", writerOk ? "running" : "stopped")
                .build();
    }
}
