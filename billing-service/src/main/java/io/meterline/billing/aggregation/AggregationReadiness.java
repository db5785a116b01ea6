package io.meterline.billing.aggregation;

import io.meterline.billing.config.BillingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the Kafka Streams client is RUNNING or REBALANCING (a rebalance is routine when instances come and go)
 * and the MongoDB writer loop, unless switched off ({@code writer-enabled}), is alive and reaching Kafka (its last
 * failure, if any, is shown). CREATED (not started yet: e.g. waiting for topics), PENDING_ERROR, ERROR and shutdown
 * states are not ready.
 */
@Readiness
@ApplicationScoped
public class AggregationReadiness implements HealthCheck {

    private final KafkaStreams streams;
    private final WindowTotalsConsumer writer;
    private final boolean writerEnabled;

    public AggregationReadiness(KafkaStreams streams, WindowTotalsConsumer writer, BillingConfig config) {
        this.streams = streams;
        this.writer = writer;
        this.writerEnabled = config.aggregation().writerEnabled();
    }

    @Override
    public HealthCheckResponse call() {
        KafkaStreams.State state = streams.state();
        boolean streamsOk = state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
        boolean writerOk = !writerEnabled || writer.running();
        String kafkaFailure = writer.lastFailure();
        var response = HealthCheckResponse.named("usage aggregation")
                .status(streamsOk && writerOk && kafkaFailure == null)
                .withData("kafkaStreams", state.name())
                .withData("mongoWriter", !writerEnabled ? "off" : writerOk ? "running" : "stopped");
        // e.g. a wrong SASL password: named here rather than leaving Streams in CREATED without a reason
        return (kafkaFailure == null ? response : response.withData("kafkaError", kafkaFailure)).build();
    }
}
