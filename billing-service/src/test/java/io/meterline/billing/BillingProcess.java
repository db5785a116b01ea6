package io.meterline.billing;

import io.meterline.devstack.FreePorts;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.model.usage.UsageWindowDocument;
import org.bson.Document;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** The packaged billing-service (target/quarkus-app) as a child process, pointed at the shared broker and Mongo. */
final class BillingProcess {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    private final String name;
    private final Map<String, String> config;
    private final boolean shortLived;
    private final int port = FreePorts.find();
    private Process process;
    private int starts;

    BillingProcess(String name, Map<String, String> config) {
        this(name, config, false);
    }

    /** {@code shortLived}: the child answers a few requests and is stopped (started C1-only, quicker). */
    BillingProcess(String name, Map<String, String> config, boolean shortLived) {
        this.name = name;
        this.config = new LinkedHashMap<>(config);
        this.shortLived = shortLived;
    }

    /** Config every child needs, plus an isolated pipeline (topics, application id, database, state dir). */
    static Map<String, String> isolatedConfig(String run, String inputTopic, Map<String, String> meters) {
        Map<String, String> config = new LinkedHashMap<>();
        String bootstrap = SharedInfrastructure.kafka().bootstrapServers();
        config.put("kafka.bootstrap.servers", bootstrap);
        config.put("quarkus.kafka-streams.bootstrap-servers", bootstrap);
        config.put("quarkus.mongodb.connection-string", SharedInfrastructure.mongo().connectionString());
        config.put("quarkus.mongodb.database", "it_" + run.replace('-', '_'));
        config.put("quarkus.kafka-streams.application-id", "billing-" + run);
        config.put("billing.aggregation.input-topic", inputTopic);
        config.put("billing.aggregation.dlq-topic", inputTopic + ".dlq");
        // a killed member must leave the group quickly, or the restart waits for its session to expire
        config.put("kafka-streams.consumer.session.timeout.ms", "6000");
        config.put("kafka-streams.consumer.heartbeat.interval.ms", "1500");
        // a joining instance takes over tasks at once (restoring their state) instead of warming up first and
        // waiting for a probing rebalance (10 min by default), so the two-instance test sees the work split
        config.put("kafka-streams.acceptable.recovery.lag", "100000000");
        config.put("quarkus.log.console.format", "%d{HH:mm:ss,SSS} %-5p [%c{2.}] (%t) %s%e%n");
        config.put("quarkus.log.category.\"org.apache.kafka.streams\".level", "INFO");
        config.putAll(meters);
        return config;
    }

    /** Sets one configuration property for the next {@link #start}. */
    BillingProcess configure(String key, String value) {
        config.put(key, value);
        return this;
    }

    /**
     * The child's hourly windows as stored in MongoDB (what reporting and closing read): window id → value. Its
     * {@code GET /v1/usage} answers from the aggregation itself, a moment before the windows are stored.
     */
    Map<String, Double> storedWindows() {
        Map<String, Double> stored = new LinkedHashMap<>();
        try (MongoClient client = MongoClients.create(SharedInfrastructure.mongo().connectionString())) {
            for (Document window : client.getDatabase(config.get("quarkus.mongodb.database"))
                    .getCollection(UsageWindowDocument.COLLECTION).find().projection(new Document("value", 1))) {
                stored.put(window.getString("_id"), ((Number) window.get("value")).doubleValue());
            }
        }
        return stored;
    }

    /** Base URL of the child's HTTP API. */
    String url() {
        return "http://127.0.0.1:" + port;
    }

    void start() {
        Map<String, String> effective = new LinkedHashMap<>(config);
        effective.put("quarkus.http.port", String.valueOf(port));
        try {
            Path stateDir = Path.of("target", "child-state", name);
            Files.createDirectories(stateDir);
            effective.putIfAbsent("kafka-streams.state.dir", stateDir.toAbsolutePath().toString());
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m", "-XX:+UseParallelGC"));
            if (shortLived) {
                // C1 only: a child that lives a few seconds spends them starting, and on two cores C2's compilations
                // delayed every start; children that work through a backlog keep C2 (with C1 only, TwoInstancesIT's
                // rebalance took longer than its minute on a loaded machine)
                command.add("-XX:TieredStopAtLevel=1");
            }
            effective.forEach((key, value) -> command.add("-D" + key + "=" + value));
            command.addAll(List.of("-jar", JAR.toString()));
            Path log = Path.of("target", "child-logs", name + "-" + (++starts) + ".log");
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("MP_JWT_VERIFY_PUBLICKEY", SharedInfrastructure.jwt().publicKeyPem());
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        await("billing child " + name + " ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(name + " exited with " + process.exitValue());
                    }
                    try {
                        return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The HTTP port of the child. */
    int port() {
        return port;
    }

    /** Whether the child is running (false after it halted or was killed). */
    boolean alive() {
        return process != null && process.isAlive();
    }

    /** kill -9: no shutdown hook, no graceful commit, no state flush. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
