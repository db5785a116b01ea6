package io.meterline.ingest.messaging;

import io.meterline.ingest.config.IngestConfig;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/**
 * Ready only when the Kafka cluster answers: without it no request can be acknowledged. The answer is cached
 * briefly so that aggressive probes (several replicas, several probers) do not load the broker.
 */
@Readiness
@ApplicationScoped
public class KafkaReadinessCheck implements AsyncHealthCheck {

    private static final String NAME = "kafka";

    private final Admin admin;
    private final Duration timeout;
    private final long cacheNanos;
    private volatile Cached cached;

    public KafkaReadinessCheck(Admin admin, IngestConfig config) {
        this.admin = admin;
        this.timeout = config.readiness().timeout();
        this.cacheNanos = config.readiness().cacheFor().toNanos();
    }

    private record Cached(long at, HealthCheckResponse response) {
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        Cached last = cached;
        if (last != null && System.nanoTime() - last.at() < cacheNanos) {
            return Uni.createFrom().item(last.response());
        }
        DescribeClusterOptions options = new DescribeClusterOptions().timeoutMs((int) timeout.toMillis());
        return Uni.createFrom().completionStage(() -> admin.describeCluster(options).nodes().toCompletionStage())
                .ifNoItem().after(timeout.plusMillis(500)).fail()
                .map(nodes -> HealthCheckResponse.named(NAME).status(!nodes.isEmpty())
                        .withData("nodes", nodes.size()).build())
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named(NAME).down()
                        .withData("error", String.valueOf(e.getMessage())).build())
                .invoke(response -> cached = new Cached(System.nanoTime(), response));
    }
}
