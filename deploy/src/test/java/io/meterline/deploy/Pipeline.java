package io.meterline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterline.devstack.FreePorts;
import io.meterline.devstack.testing.SharedInfrastructure;

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
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The three packaged services (each module's target/quarkus-app, run as in production: prod profile, JSON logs) on
 * free ports, against the module's shared Kafka broker, Mongo-wire server and Stripe stand-in, configured the way
 * {@code ./meterline up} configures them. One per test JVM.
 */
final class Pipeline implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Path LOGS = Path.of("target", "pipeline-logs",
            System.currentTimeMillis() + "-" + ProcessHandle.current().pid());
    private static Pipeline instance;

    final String webhookSecret = "whsec_" + UUID.randomUUID().toString().replace("-", "");
    final String stripeKey = "sk_test_" + UUID.randomUUID().toString().replace("-", "");
    final String operatorToken = SharedInfrastructure.jwt().operatorToken();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String database = "ops_" + UUID.randomUUID().toString().substring(0, 8);

    static synchronized Pipeline get() {
        if (instance == null) {
            instance = new Pipeline();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::close, "pipeline-shutdown"));
            instance.start();
        }
        return instance;
    }

    private void start() {
        for (String service : List.of("ingest", "billing", "webhook")) {
            ports.put(service, FreePorts.find());
        }
        SharedInfrastructure.stripe().addWebhookEndpoint(url("webhook") + "/webhooks/stripe", webhookSecret);
        for (String service : ports.keySet()) {
            startService(service);
        }
        ports.keySet().forEach(this::awaitReady);
    }

    String url(String service) {
        return "http://127.0.0.1:" + ports.get(service);
    }

    /**
     * This test JVM's log of the service. A directory per run: a service left running by an interrupted earlier run
     * keeps writing at its old offset into whatever file it had open, which padded a shared, truncated file with NUL
     * bytes and broke the JSON-lines assertions.
     */
    static Path log(String service) {
        return LOGS.resolve(service + ".log");
    }

    private void startService(String service) {
        Path jar = Path.of("..", service + "-service", "target", "quarkus-app", "quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first");
        }
        String bootstrap = SharedInfrastructure.kafka().bootstrapServers();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.http.port", String.valueOf(ports.get(service)));
        config.put("kafka.bootstrap.servers", bootstrap);
        config.put("quarkus.mongodb.connection-string", SharedInfrastructure.mongo().connectionString());
        config.put("quarkus.mongodb.database", database);
        config.put("mp.jwt.verify.issuer", io.meterline.devstack.DevJwt.ISSUER);
        config.put("mp.jwt.verify.audiences", io.meterline.devstack.DevJwt.AUDIENCE);
        if (service.equals("billing")) {
            config.put("quarkus.kafka-streams.application-id", database);
            config.put("billing.aggregation.writer-group-id", database + "-writer");
            try {
                config.put("kafka-streams.state.dir", Files.createTempDirectory("ops-streams-").toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            config.put("billing.reporting.cron", "off");
            // a usage source, so its reconciliation series exist (a push source needs no provider to be reachable)
            config.put("billing.sources.provider.kind", "push");
            config.put("billing.sources.provider.event-source", "provider");
            config.put("billing.ops.ingest-url", url("ingest"));
            config.put("billing.ops.webhook-url", url("webhook"));
        }
        if (service.equals("webhook")) {
            config.put("webhook.processing.gauge-refresh-every", "1s");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        config.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString()));
        try {
            Files.createDirectories(log(service).getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log(service).toFile());
            // secrets reach the services the way Kubernetes gives them: through the environment
            builder.environment().put("MP_JWT_VERIFY_PUBLICKEY", SharedInfrastructure.jwt().publicKeyPem());
            if (!service.equals("ingest")) {
                builder.environment().put(service.toUpperCase() + "_STRIPE_API_BASE", SharedInfrastructure.stripe().apiBase());
                builder.environment().put(service.toUpperCase() + "_STRIPE_API_KEY", stripeKey);
            }
            if (service.equals("webhook")) {
                builder.environment().put("WEBHOOK_SIGNING_SECRETS", webhookSecret);
            }
            processes.put(service, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(String service) {
        await(service + "-service ready").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!processes.get(service).isAlive()) {
                throw new IllegalStateException(service + "-service exited; see " + log(service).toAbsolutePath());
            }
            try {
                return status(service, "/q/health/ready") == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    int status(String service, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url(service) + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    String text(String service, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url(service) + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    JsonNode send(String method, String service, String path, String token, Object body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(service) + path)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode node = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " → " + response.statusCode() + " " + response.body());
            }
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        processes.values().forEach(Process::destroy);
        for (Process process : processes.values()) {
            try {
                // well inside the 30 s failsafe gives a finished test JVM: a hook cut short left a service running
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }
}
