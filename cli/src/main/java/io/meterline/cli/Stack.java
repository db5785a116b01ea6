package io.meterline.cli;

import io.meterline.devstack.DevJwt;
import io.meterline.devstack.DevStackMain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole local pipeline as child processes: the dev-stack infrastructure (Kafka, Mongo-wire, Stripe
 * stand-in) and the three services, each the packaged Quarkus application. Closing it stops them all.
 */
public final class Stack implements AutoCloseable {

    /** The key the stand-in accepts; any {@code sk_test_…} works there. Not a secret. */
    public static final String STANDIN_API_KEY = "sk_test_meterline_standin";


    private final Path home;
    private final Path stateDir;
    private final DevJwt jwt = DevJwt.generate();
    /** Signing secret shared by the stand-in (which signs webhooks) and webhook-service; new every run. */
    private final String webhookSecret = "whsec_" + java.util.UUID.randomUUID().toString().replace("-", "");
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String kafkaBootstrap;
    private String mongoConnectionString;
    private String devStackHeap = "2g";

    private Stack(Path home) {
        this.home = home;
        // METERLINE_STATE_DIR lets two stacks run side by side (e.g. each in its own network namespace)
        String stateDirOverride = System.getenv("METERLINE_STATE_DIR");
        // a stack on shifted ports keeps its state apart from the default one
        String defaultDir = Ports.offset() == 0 ? ".meterline" : ".meterline-" + Ports.offset();
        this.stateDir = stateDirOverride == null || stateDirOverride.isBlank() ? home.resolve(defaultDir)
                : Path.of(stateDirOverride).toAbsolutePath();
    }

    /** Starts the infrastructure only; services are started with {@link #startService}. */
    public static Stack startInfrastructure(Path home, List<String> devStackArgs) throws IOException {
        return startInfrastructure(home, devStackArgs, "2g");
    }

    /** As above, with the dev stack's JVM heap (its in-memory Mongo-wire server holds every document there). */
    public static Stack startInfrastructure(Path home, List<String> devStackArgs, String heap) throws IOException {
        Stack stack = new Stack(home);
        stack.devStackHeap = heap;
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "stack-shutdown"));
        if (devStackArgs.contains("--fresh")) {
            deleteRecursively(stack.stateDir.resolve("billing-streams"));
        }
        stack.startDevStack(devStackArgs);
        return stack;
    }

    /**
     * A stack whose infrastructure the caller runs itself (in its own JVM, so that it can stop and restart the
     * broker or the Mongo-wire server): call {@link #useInfrastructure} before starting services.
     */
    public static Stack withOwnInfrastructure(Path home) throws IOException {
        Stack stack = new Stack(home);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "stack-shutdown"));
        Files.createDirectories(stack.stateDir.resolve("logs"));
        return stack;
    }

    /** Where services find Kafka and MongoDB when the caller runs them ({@link #withOwnInfrastructure}). */
    public void useInfrastructure(String kafkaBootstrap, String mongoConnectionString) {
        this.kafkaBootstrap = kafkaBootstrap;
        this.mongoConnectionString = mongoConnectionString;
    }

    /** Starts infrastructure and every service, waiting until each is ready (the services start side by side). */
    public static Stack startAll(Path home) throws IOException {
        Stack stack = startInfrastructure(home, List.of("--fresh"));
        // what the demo's steps need of billing: prices for prepaid usage, a billing time zone for its periods
        Map<String, String> demoBilling = new HashMap<>(PrepaidDemo.BILLING_CONFIG);
        demoBilling.putAll(PeriodsDemo.billingConfig(Instant.now()));
        List<String> services = List.of("ingest", "billing", "webhook");
        for (String service : services) {
            stack.launch(service, service.equals("billing") ? demoBilling : Map.of(), ServiceLaunch.DEFAULT_HEAP);
        }
        services.forEach(stack::waitUntilReady);
        return stack;
    }

    public Path home() {
        return home;
    }

    public Path stateDir() {
        return stateDir;
    }

    public DevJwt jwt() {
        return jwt;
    }

    public String webhookSecret() {
        return webhookSecret;
    }

    public String operatorToken() {
        return jwt.operatorToken();
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    public String mongoConnectionString() {
        return mongoConnectionString;
    }

    public String stripeApiBase() {
        return "http://127.0.0.1:" + Ports.stripe();
    }

    public String url(String service) {
        return "http://127.0.0.1:" + Ports.service(service);
    }

    public String ingestUrl() {
        return url("ingest");
    }

    public String billingUrl() {
        return url("billing");
    }

    public String webhookUrl() {
        return url("webhook");
    }

    /** Starts a packaged service with the stack's config plus {@code extraConfig}, and waits until it is ready. */
    public void startService(String service, Map<String, String> extraConfig) throws IOException {
        startService(service, extraConfig, ServiceLaunch.DEFAULT_HEAP);
    }

    /** As above, with the service's JVM heap ({@code -Xmx}) sized for a benchmark's workload. */
    public void startService(String service, Map<String, String> extraConfig, String heap) throws IOException {
        launch(service, extraConfig, heap);
        waitUntilReady(service);
    }

    private void launch(String service, Map<String, String> extraConfig, String heap) throws IOException {
        Path jar = home.resolve(service + "-service/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./mvnw -DskipTests install)");
        }
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.http.port", String.valueOf(Ports.service(service)));
        config.put("kafka.bootstrap.servers", kafkaBootstrap);
        config.put("quarkus.kafka-streams.bootstrap-servers", kafkaBootstrap);
        config.put("quarkus.mongodb.connection-string", mongoConnectionString);
        config.put("mp.jwt.verify.issuer", DevJwt.ISSUER);
        config.put("mp.jwt.verify.audiences", DevJwt.AUDIENCE);
        if (!service.equals("ingest")) {
            // Stripe: the stand-in, with a test-mode-looking key (billing and webhook read <service>.stripe.*)
            config.put(service + ".stripe.api-base", stripeApiBase());
            if (service.equals("billing")) {
                // the v2 meter event stream's base (Stripe: meter-events.stripe.com) is the stand-in too
                config.put("billing.stripe.meter-event-stream.base", stripeApiBase());
            }
            config.put(service + ".stripe.api-key", STANDIN_API_KEY);
        }
        if (service.equals("webhook")) {
            config.put("webhook.signing-secrets", webhookSecret);
        }
        if (service.equals("billing")) {
            // Kafka Streams state belongs to this stack, not to the OS temp dir shared with earlier runs
            config.put("kafka-streams.state.dir", stateDir.resolve("billing-streams").toString());
            // local stack: a period is final one minute after its end (production default: 1 hour)
            config.put("billing.periods.grace", "PT1M");
        }
        config.putAll(extraConfig);
        ServiceLaunch launch = ServiceLaunch.of(javaBin(), jar, heap, config);
        List<String> command = new ArrayList<>(launch.command());
        // -Dmeterline.service-jvm-options="..." adds JVM options (DemoIT: C1 only, for quicker starts on two cores)
        String jvmOptions = System.getProperty("meterline.service-jvm-options", "").trim();
        if (!jvmOptions.matches(".*-(Xmn|XX:(Max)?NewSize).*")) {
            command.addAll(1, ServiceLaunch.serviceOptions(service, heap)); // unless the options size the young generation
        }
        if (!jvmOptions.isEmpty()) {
            List<String> options = List.of(jvmOptions.split("\\s+"));
            if (options.stream().anyMatch(option -> option.matches("-XX:\\+Use\\w+GC"))) {
                command.remove("-XX:+UseParallelGC"); // the options choose the collector
            }
            command.addAll(1, options);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logFile(service).toFile());
        builder.environment().putAll(launch.environment());
        // a PEM has newlines: pass it through the environment rather than the command line
        builder.environment().put("MP_JWT_VERIFY_PUBLICKEY", jwt.publicKeyPem());
        processes.put(service, builder.start());
    }

    /** Stops a service: gracefully, or abruptly ({@code kill -9}, no shutdown hooks) when {@code kill} is true. */
    public void stopService(String service, boolean kill) {
        Process process = processes.remove(service);
        if (process == null) {
            return;
        }
        if (kill) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** CPU time a started process ({@code dev-stack}, {@code billing}, …) has used so far; zero when unknown. */
    public Duration cpuTime(String name) {
        Process process = processes.get(name);
        return process == null ? Duration.ZERO : process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    public Path logFile(String name) {
        return stateDir.resolve("logs").resolve(name + ".log");
    }

    @Override
    public synchronized void close() {
        List<String> names = new ArrayList<>(processes.keySet());
        java.util.Collections.reverse(names);
        for (String name : names) {
            stopService(name, false);
        }
    }

    private void startDevStack(List<String> devStackArgs) throws IOException {
        Files.createDirectories(stateDir.resolve("logs"));
        String classpath = home.resolve("dev-stack/target/dev-stack-0.1.0-SNAPSHOT.jar") + java.io.File.pathSeparator
                + home.resolve("dev-stack/target/lib/*");
        // what the dev stack keeps (the broker's state, the Mongo-wire server's documents) lives long: promoted after one
        // young collection, not copied between survivor spaces up to 15 times, which shortens its young pauses and with
        // them every webhook acknowledgement that waits on its MongoDB (decision 0159 has the measurements)
        List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx" + devStackHeap, "-XX:MaxTenuringThreshold=1",
                "-cp", classpath,
                "io.meterline.devstack.DevStackMain", "--state-dir", stateDir.toString(),
                "--kafka-port", String.valueOf(Ports.kafka()), "--mongo-port", String.valueOf(Ports.mongo()),
                "--stripe-port", String.valueOf(Ports.stripe())));
        // -Dmeterline.devstack-jvm-options="..." adds JVM options to the dev stack (JFR, GC logging, a collector); after
        // the ones above, so that where both set one, the given option wins
        String devStackOptions = System.getProperty("meterline.devstack-jvm-options", "").trim();
        if (!devStackOptions.isEmpty()) {
            command.addAll(command.indexOf("-cp"), List.of(devStackOptions.split("\\s+")));
        }
        if (!devStackArgs.contains("--webhook-url")) {
            // the stand-in sends its events, signed, to webhook-service (which may start later: it retries)
            command.addAll(List.of("--webhook-url", url("webhook") + "/webhooks/stripe"));
        }
        command.addAll(devStackArgs);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // the signing secret through the environment, not the command line any local user can read
        builder.environment().put(DevStackMain.WEBHOOK_SECRET_ENV, webhookSecret);
        Process process = builder.start();
        processes.put("dev-stack", process);
        Path log = logFile("dev-stack");
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        var out = Files.newBufferedWriter(log);
        String line;
        while ((line = reader.readLine()) != null) {
            out.write(line);
            out.newLine();
            out.flush();
            if (line.startsWith("READY ")) {
                for (String part : line.substring(6).split(" ")) {
                    String[] kv = part.split("=", 2);
                    if (kv[0].equals("kafka")) {
                        kafkaBootstrap = kv[1];
                    } else if (kv[0].equals("mongo")) {
                        mongoConnectionString = kv[1];
                    }
                }
                // keep draining the output to the log so the child never blocks on a full pipe
                Thread drain = new Thread(() -> drain(reader, out), "dev-stack-log");
                drain.setDaemon(true);
                drain.start();
                return;
            }
        }
        throw new IllegalStateException("dev-stack exited before it was ready; see " + log);
    }

    private static void drain(BufferedReader reader, java.io.BufferedWriter out) {
        try (reader; out) {
            String line;
            while ((line = reader.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private void waitUntilReady(String service) {
        // -Dmeterline.startup-seconds=N for a machine too loaded to start a service in two minutes
        long seconds = Long.getLong("meterline.startup-seconds", 120);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url(service) + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            Process process = processes.get(service);
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException(service + "-service exited; see " + logFile(service));
            }
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(service + "-service did not become ready in " + seconds + " s; see "
                + logFile(service));
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (Files.exists(path)) {
            try (var paths = Files.walk(path)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }
}
