package io.meterline.client;

import io.meterline.devstack.testing.SharedInfrastructure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 100,000 events recorded through the client while the real broker goes down and comes back and the real
 * ingest-service is killed and restarted: every event reaches the topic, and counted by (source, id) each is there
 * once — what billing's deduplication counts.
 */
class ClientOutageIT {

    static final int EVENTS = 100_000;

    @TempDir
    Path spool;

    @Test
    void brokerOutageAndIngestRestartDuring100000EventsLoseNothing() {
        List<Rejection> rejections = new CopyOnWriteArrayList<>();
        String source = "client-outage-it";
        Instant time = Instant.now().minusSeconds(60);
        try (IngestFixture fixture = new IngestFixture("client-outage")) {
            fixture.ingest.start();
            try (MeterlineClient client = MeterlineClient.builder().endpoint(fixture.ingest.uri(""))
                    .token(IngestFixture.writerToken()).source(source).spoolDirectory(spool)
                    .batchSize(1000).linger(Duration.ofMillis(20))
                    .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(2))
                    .onRejected(rejections::add).build()) {
                record(client, 0, 30_000, time);
                await("events flowing").atMost(Duration.ofMinutes(2)).until(() -> client.metrics().sent() >= 10_000);

                SharedInfrastructure.kafka().stop();
                try {
                    record(client, 30_000, 60_000, time);
                    await("ingest answering 503").atMost(Duration.ofMinutes(1))
                            .until(() -> client.metrics().unreachable());
                    assertThat(client.metrics().queued()).as("events waiting in the spool").isPositive();
                } finally {
                    SharedInfrastructure.kafka().restart();
                }
                await("flowing again after the broker came back").atMost(Duration.ofMinutes(3))
                        .until(() -> client.metrics().sent() >= 45_000);

                fixture.ingest.kill();
                record(client, 60_000, EVENTS, time);
                await("client notices the dead ingest").atMost(Duration.ofMinutes(1))
                        .until(() -> client.metrics().unreachable());
                fixture.ingest.start();

                assertThat(client.flush(Duration.ofMinutes(5))).as("everything answered").isTrue();
                ClientMetrics metrics = client.metrics();
                assertThat(metrics.sent()).isEqualTo(EVENTS);
                assertThat(metrics.rejected()).isZero();
                assertThat(metrics.failedAttempts()).isPositive();
            }
            assertThat(rejections).isEmpty();
            Map<String, Integer> counts = fixture.countsBySourceAndId();
            assertThat(counts).hasSize(EVENTS);
            for (int n = 0; n < EVENTS; n++) {
                assertThat(counts).containsKey(source + "|outage-" + n);
            }
        }
    }

    private static void record(MeterlineClient client, int from, int to, Instant time) {
        for (int n = from; n < to; n++) {
            client.record(MeterlineEvent.builder().id("outage-" + n).type("api.call").subject("cust-" + (n % 7))
                    .time(time).put("units", 1).build());
        }
    }
}
