package io.meterline.devstack;

import io.meterline.devstack.stripe.StripeStandIn;
import io.meterline.model.Topics;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The local infrastructure as one process: a Kafka broker, a Mongo-wire server (and, once present, the Stripe
 * stand-in). Prints one line {@code READY kafka=… mongo=…} when everything accepts connections, then runs
 * until killed.
 *
 * <p>Options: {@code --state-dir DIR} (default {@code .meterline}), {@code --kafka-port N} (9092),
 * {@code --mongo-port N} (27018), {@code --mongo-file} (H2 file in the state dir instead of memory),
 * {@code --partitions N} (partitions of the usage topic, default 3), {@code --fresh} (delete earlier Kafka data),
 * {@code --stripe-port N} (12111, the Stripe stand-in), {@code --webhook-url URL} with the signing secret in {@code METERLINE_WEBHOOK_SECRET}
 * (one webhook endpoint the stand-in signs and sends its events to).
 */
public final class DevStackMain {

    /** Environment variable holding the webhook signing secret (kept off the command line, which anyone can read). */
    public static final String WEBHOOK_SECRET_ENV = "METERLINE_WEBHOOK_SECRET";

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (Exception | Error e) {
            // Kafka leaves non-daemon threads behind: exit explicitly so the launcher sees the failure
            System.out.println("FAILED " + e);
            e.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        Path stateDir = Path.of(option(args, "--state-dir", ".meterline"));
        int kafkaPort = Integer.parseInt(option(args, "--kafka-port", "9092"));
        int mongoPort = Integer.parseInt(option(args, "--mongo-port", "27018"));
        int partitions = Integer.parseInt(option(args, "--partitions", "3"));
        int stripePort = Integer.parseInt(option(args, "--stripe-port", "12111"));
        boolean mongoFile = flag(args, "--mongo-file");
        Path kafkaDir = stateDir.resolve("kafka");
        if (flag(args, "--fresh")) {
            deleteRecursively(kafkaDir);
            deleteRecursively(stateDir.resolve("kafka.properties"));
        }
        Files.createDirectories(stateDir);

        KafkaBroker kafka = KafkaBroker.start(kafkaPort, kafkaDir);
        kafka.createTopics(List.of(
                new NewTopic(Topics.USAGE_EVENTS, partitions, (short) 1),
                new NewTopic(Topics.USAGE_EVENTS_DLQ, 1, (short) 1)));
        MongoWireServer mongo = MongoWireServer.start(mongoPort, mongoFile ? stateDir.resolve("mongo.h2") : null);
        StripeStandIn stripe = StripeStandIn.start(stripePort);
        String webhookUrl = option(args, "--webhook-url", null);
        if (webhookUrl != null) {
            String secret = option(args, "--webhook-secret", System.getenv(WEBHOOK_SECRET_ENV));
            if (secret == null || !secret.startsWith("whsec_")) {
                throw new IllegalArgumentException("--webhook-url needs " + WEBHOOK_SECRET_ENV
                        + "=whsec_… in the environment (or --webhook-secret whsec_…)");
            }
            stripe.addWebhookEndpoint(webhookUrl, secret);
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stripe.close();
            mongo.close();
            kafka.close();
            stopped.countDown();
        }, "dev-stack-shutdown"));
        System.out.println("READY kafka=" + kafka.bootstrapServers() + " mongo=" + mongo.connectionString()
                + " stripe=" + stripe.apiBase());
        System.out.flush();
        stopped.await();
    }

    static String option(String[] args, String name, String defaultValue) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return defaultValue;
    }

    static boolean flag(String[] args, String name) {
        return List.of(args).contains(name);
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var paths = Files.walk(path)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
