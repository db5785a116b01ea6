package io.meterline.devstack;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

/**
 * A real single-node Apache Kafka broker in KRaft mode (broker and controller in one), running inside this JVM.
 * It can be stopped and started again on the same port and log directory, which is how tests make Kafka
 * unavailable for real.
 *
 * <p>{@link #startSecured} adds a {@code SASL_SSL} listener next to the plain one, as a production cluster (Strimzi)
 * exposes it: SCRAM-SHA-512 users written into the metadata when storage is formatted ({@code --add-scram}) with
 * random passwords, and a CA and broker certificate generated at start ({@link DevTls}). No authorizer: any
 * authenticated user may do anything (the ACLs live in the Kubernetes manifests).
 */
public final class KafkaBroker implements AutoCloseable {

    private static final String SCRAM = "SCRAM-SHA-512";

    private final int port;
    private final int controllerPort;
    private final Path logDir;
    private final Path configFile;
    private final String clusterId;
    private final int securedPort;
    private final DevTls tls;
    private final Map<String, String> scramUsers;
    private KafkaRaftServer server;

    private KafkaBroker(int port, int controllerPort, Path logDir, int securedPort, DevTls tls, Map<String, String> scramUsers) {
        this.port = port;
        this.controllerPort = controllerPort;
        this.logDir = logDir;
        this.configFile = logDir.resolveSibling(logDir.getFileName() + ".properties");
        this.clusterId = Uuid.randomUuid().toString();
        this.securedPort = securedPort;
        this.tls = tls;
        this.scramUsers = Map.copyOf(scramUsers);
    }

    /** Formats storage in {@code logDir} (unless already formatted) and starts the broker. Port 0 = any free port. */
    public static KafkaBroker start(int port, Path logDir) {
        KafkaBroker broker = new KafkaBroker(port == 0 ? FreePorts.find() : port, FreePorts.find(), logDir, 0, null, Map.of());
        broker.format();
        broker.startServer();
        return broker;
    }

    /**
     * Like {@link #start} (plain listener on a free port), plus a {@code SASL_SSL} listener on another free port
     * with one SCRAM-SHA-512 user per name in {@code users}, each with a random password ({@link #password}).
     */
    public static KafkaBroker startSecured(Path logDir, Collection<String> users) {
        Map<String, String> scram = new LinkedHashMap<>();
        SecureRandom random = new SecureRandom();
        for (String user : users) {
            byte[] bytes = new byte[18];
            random.nextBytes(bytes);
            scram.put(user, HexFormat.of().formatHex(bytes));
        }
        DevTls tls = DevTls.generate(logDir.resolveSibling(logDir.getFileName() + "-tls"));
        KafkaBroker broker = new KafkaBroker(FreePorts.find(), FreePorts.find(), logDir, FreePorts.find(), tls, scram);
        broker.format();
        broker.startServer();
        return broker;
    }

    /** The {@code SASL_SSL} listener ({@link #startSecured} only). */
    public String securedBootstrapServers() {
        requireSecured();
        return "127.0.0.1:" + securedPort;
    }

    /** A SCRAM user's generated password ({@link #startSecured} only). */
    public String password(String user) {
        requireSecured();
        String password = scramUsers.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no SCRAM user " + user);
        }
        return password;
    }

    /**
     * The {@code kafka.*} client settings (without the prefix) that reach the {@code SASL_SSL} listener as
     * {@code user} with {@code password}: what a service is given on a secured cluster.
     */
    public Map<String, String> securedClientConfig(String user, String password) {
        requireSecured();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("bootstrap.servers", securedBootstrapServers());
        config.put("security.protocol", "SASL_SSL");
        config.put("sasl.mechanism", SCRAM);
        config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        config.put("ssl.truststore.type", "PEM");
        config.put("ssl.truststore.location", tls.caCertificate().toString());
        return config;
    }

    private void requireSecured() {
        if (tls == null) {
            throw new IllegalStateException("this broker has no SASL_SSL listener: start it with startSecured");
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public synchronized boolean running() {
        return server != null;
    }

    /** Stops the broker (the process stays), as an outage. Data stays on disk. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Starts the broker again after {@link #stop()}, on the same port and data. */
    public synchronized void restart() {
        if (server == null) {
            startServer();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Creates topics if they do not exist yet. */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(List.of(topic)).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic.name(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> config() {
        Map<String, String> config = new HashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        if (tls != null) {
            String secured = "SECURED://127.0.0.1:" + securedPort;
            config.put("listeners", config.get("listeners") + "," + secured);
            config.put("advertised.listeners", config.get("advertised.listeners") + "," + secured);
            config.put("listener.security.protocol.map", config.get("listener.security.protocol.map") + ",SECURED:SASL_SSL");
            config.put("listener.name.secured.sasl.enabled.mechanisms", SCRAM);
            // the server side of SCRAM needs a login module but no credentials of its own (users live in the metadata)
            config.put("listener.name.secured.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            config.put("listener.name.secured.ssl.keystore.type", "PKCS12");
            config.put("listener.name.secured.ssl.keystore.location", tls.brokerKeystore().toString());
            config.put("listener.name.secured.ssl.keystore.password", tls.keystorePassword());
            config.put("listener.name.secured.ssl.key.password", tls.keystorePassword());
        }
        config.put("log.dirs", logDir.toString());
        config.put("num.partitions", "3");
        config.put("auto.create.topics.enable", "true");
        // a single node: every internal topic has one replica
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "4");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        config.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        return config;
    }

    private void format() {
        try {
            Files.createDirectories(logDir);
            Properties properties = new Properties();
            properties.putAll(config());
            try (var out = Files.newBufferedWriter(configFile)) {
                properties.store(out, "Meterline dev-stack Kafka broker");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        List<String> command = new ArrayList<>(List.of("format", "-t", clusterId, "-c", configFile.toString(),
                "--ignore-formatted"));
        scramUsers.forEach((user, password) -> command.addAll(List.of("--add-scram",
                SCRAM + "=[name=" + user + ",password=" + password + "]")));
        int rc = StorageTool.execute(command.toArray(String[]::new), new PrintStream(output, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            throw new IllegalStateException("formatting Kafka storage failed: " + output.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * As for the Mongo-wire server (MongoWireServer.quietServerLogs): outside Quarkus every level is enabled, so the
     * broker built its debug and trace lines (request toString, replica-manager debug) for every request, unseen;
     * about a quarter of the broker's samples while billing-service closed and published periods (decision 0095).
     */
    private static void quietBrokerLogs() {
        for (String category : new String[] {"kafka", "org.apache.kafka", "state.change.logger"}) {
            org.jboss.logmanager.LogContext.getLogContext().getLogger(category).setLevel(java.util.logging.Level.WARNING);
        }
    }

    private void startServer() {
        quietBrokerLogs();
        KafkaRaftServer raftServer = new KafkaRaftServer(KafkaConfig.fromProps(propertiesOf(config())), Time.SYSTEM);
        raftServer.startup();
        server = raftServer;
        waitUntilReachable();
    }

    private void waitUntilReachable() {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000",
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000"))) {
                admin.describeCluster().nodes().get();
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka broker did not become reachable", e);
                }
            }
        }
    }

    private static Properties propertiesOf(Map<String, String> map) {
        Properties properties = new Properties();
        properties.putAll(map);
        return properties;
    }
}
