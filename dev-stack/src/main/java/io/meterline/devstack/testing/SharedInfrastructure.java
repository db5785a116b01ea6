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
 * <p>{@link #securedKafka()} is a second broker with a {@code SASL_SSL} listener and the SCRAM users
 * {@link #KAFKA_USERS}, started on first use. It is separate because Kafka registers its SCRAM SASL providers
 * JVM-wide ({@code java.security.Security}) from the classes of whichever class loader gets there first: a broker
 * loaded by another class loader (each Quarkus test application has its own, and each gets its own copy of this
 * class) then rejects every SCRAM login as "invalid credentials". Only one broker per JVM may have a SASL listener,
 * and only tests outside a Quarkus class loader (plain JUnit classes, starting the services as processes) use it.
 */
public final class SharedInfrastructure {

    /** SCRAM-SHA-512 users of the shared broker's {@code SASL_SSL} listener, one per service (as in deploy/). */
    public static final List<String> KAFKA_USERS = List.of("ingest-service", "billing-service");

    private static KafkaBroker kafka;
    private static KafkaBroker securedKafka;
    private static MongoWireServer mongo;
    private static DevJwt jwt;
    private static StripeStandIn stripe;

    private SharedInfrastructure() {
    }

    public static synchronized KafkaBroker kafka() {
        if (kafka == null) {
            try {
                Path dir = Files.createTempDirectory("meterline-kafka-");
                kafka = KafkaBroker.start(0, dir.resolve("data"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "kafka-broker-shutdown"));
        }
        return kafka;
    }

    /** The broker with a {@code SASL_SSL} listener (see the class comment for why it is not {@link #kafka()}). */
    public static synchronized KafkaBroker securedKafka() {
        if (securedKafka == null) {
            try {
                Path dir = Files.createTempDirectory("meterline-kafka-secured-");
                securedKafka = KafkaBroker.startSecured(dir.resolve("data"), KAFKA_USERS);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(securedKafka::close, "secured-kafka-broker-shutdown"));
        }
        return securedKafka;
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
