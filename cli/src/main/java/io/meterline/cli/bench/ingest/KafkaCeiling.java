package io.meterline.cli.bench.ingest;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The raw producer ceiling: one producer with the ingest service's settings, sending ~200-byte events as fast
 * as the broker acknowledges them (the producer's buffer is the only back-pressure), on the same broker and
 * topic the service writes to.
 */
public final class KafkaCeiling {

    /** Events acknowledged per second, and how many were acknowledged and failed in the measuring window. */
    public record Result(double eventsPerSecond, long acknowledged, long failed, double seconds) {
    }

    private KafkaCeiling() {
    }

    public static Result measure(String bootstrap, String topic, Map<String, Object> producerSettings,
            Duration warmup, Duration duration, Runnable atMeasureStart, Runnable atMeasureEnd) {
        Map<String, Object> settings = new HashMap<>(producerSettings);
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-ceiling");
        // here a full buffer is the back-pressure that paces the loop, so send() may wait for it
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        EventBodies bodies = new EventBodies("ceiling-" + System.currentTimeMillis());
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings, new StringSerializer(),
                new ByteArraySerializer())) {
            StringBuilder json = new StringBuilder(256);
            long n = 0;
            long warmupEnd = System.nanoTime() + warmup.toNanos();
            while (System.nanoTime() < warmupEnd) {
                json.setLength(0);
                bodies.appendEvent(json);
                producer.send(new ProducerRecord<>(topic, EventBodies.subject(n++), bytes(json)));
            }
            producer.flush();
            atMeasureStart.run();
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            while (System.nanoTime() < end) {
                json.setLength(0);
                bodies.appendEvent(json);
                producer.send(new ProducerRecord<>(topic, EventBodies.subject(n++), bytes(json)),
                        (metadata, error) -> (error == null ? acknowledged : failed).incrementAndGet());
            }
            // the window ends when the last record sent in it is acknowledged
            producer.flush();
            atMeasureEnd.run();
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Result(acknowledged.get() / seconds, acknowledged.get(), failed.get(), seconds);
        }
    }

    private static byte[] bytes(StringBuilder json) {
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
