package io.meterline.billing;

import com.mongodb.client.MongoClient;
import io.meterline.devstack.stripe.StripeStandIn;
import io.meterline.devstack.testing.JwtResource;
import io.meterline.devstack.testing.KafkaResource;
import io.meterline.devstack.testing.MongoResource;
import io.meterline.devstack.testing.SharedInfrastructure;
import io.meterline.devstack.testing.StripeStandInResource;
import io.quarkus.test.common.QuarkusTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.UUID;

/**
 * What the ITs that report to the Stripe stand-in share: one resource set (so Quarkus runs them all in one
 * application start), a run id that keeps their meters and customers apart, a {@link StripeSeed}, and no stand-in
 * fault left behind by a test.
 */
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(MongoResource.class)
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(StreamsStateResource.class)
@QuarkusTestResource(value = StripeStandInResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(ReportingTestResource.class)
abstract class StripeReportingFixture {

    @Inject
    MongoClient mongo;

    StripeSeed seed;
    final String run = UUID.randomUUID().toString().substring(0, 8);
    final StripeStandIn standIn = SharedInfrastructure.stripe();

    @BeforeEach
    void seedStripe() {
        seed = new StripeSeed(mongo);
    }

    @AfterEach
    void clearStripeFaults() {
        standIn.faults().clear();
    }
}
