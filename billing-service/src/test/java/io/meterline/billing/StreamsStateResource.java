package io.meterline.billing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;

/** A fresh Kafka Streams state directory and application id for every start of the application under test. */
public class StreamsStateResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            String id = "billing-it-" + UUID.randomUUID().toString().substring(0, 8);
            return Map.of(
                    "kafka-streams.state.dir", Files.createTempDirectory("billing-streams-").toString(),
                    "quarkus.kafka-streams.application-id", id,
                    // short intervals keep the tests quick; production defaults are in application.properties
                    "billing.aggregation.meter-refresh-interval", "PT1S");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
    }
}
