package io.meterline.devstack.testing;

import io.meterline.devstack.DevJwt;
import io.meterline.devstack.KafkaBroker;
import io.meterline.devstack.MongoWireServer;
import io.meterline.devstack.stripe.StripeStandIn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One Kafka broker, one Mongo-wire server, one JWT key pair and one Stripe stand-in per test JVM (that is, per module run),
 * started on first use and shared by every test and every Quarkus application restart.
 *
 * <p>The broker has a plain listener (what tests use by default) and a {@code SASL_SSL} one with the SCRAM users
 * {@link #KAFKA_USERS} ({@link KafkaBroker#securedClientConfig}): the certificates and users cost milliseconds at
 * start, so the secured-cluster tests share the module's broker instead of starting a second one.
 */
public final class SharedInfrastructure {

    /** SCRAM-SHA-512 users of the shared broker's {@code SASL_SSL} listener, one per service (as in deploy/). */
    public static final List<String> KAFKA_USERS = List.of("ingest-service", "billing-service");

    private static KafkaBroker kafka;
    private static MongoWireServer mongo;
    private static DevJwt jwt;
    private static StripeStandIn stripe;

    private SharedInfrastructure() {
    }

    public static synchronized KafkaBroker kafka() {
        if (kafka == null) {
            try {
                Path dir = Files.createTempDirectory("meterline-kafka-");
                kafka = KafkaBroker.startSecured(dir.resolve("data"), KAFKA_USERS);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "kafka-broker-shutdown"));
        }
        return kafka;
    }

    public static synchronized MongoWireServer mongo() {
        if (mongo == null) {
            mongo = MongoWireServer.start(0, null);
            Runtime.getRuntime().addShutdownHook(new Thread(mongo::close, "mongo-server-shutdown"));
        }
        return mongo;
    }

    public static synchronized DevJwt jwt() {
        if (jwt == null) {
            jwt = DevJwt.generate();
        }
        return jwt;
    }

    public static synchronized StripeStandIn stripe() {
        if (stripe == null) {
            stripe = StripeStandIn.start(0);
            Runtime.getRuntime().addShutdownHook(new Thread(stripe::close, "stripe-standin-shutdown"));
        }
        return stripe;
    }
}
