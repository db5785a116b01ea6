package io.meterline.webhook.service;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Stored subscriptions against Stripe's (see {@link StripeSyncCheck}). Always UP: webhooks still flow; detail
 * {@code status: DEGRADED} while subscriptions Stripe has are missing here for too long.
 */
@Readiness
@ApplicationScoped
public class StripeSyncHealthCheck implements HealthCheck {

    private final StripeSyncCheck sync;

    public StripeSyncHealthCheck(StripeSyncCheck sync) {
        this.sync = sync;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("stripe sync").up();
        StripeSyncCheck.Checked last = sync.last();
        if (last == null) {
            return builder.withData("status", sync.available() ? "UP" : "UNCHECKED")
                    .withData("checked", sync.available() ? "not yet" : "no Stripe API key").build();
        }
        builder.withData("status", last.degraded() ? "DEGRADED" : "UP")
                .withData("checkedAt", last.at().toString())
                .withData("missingLocally", last.result().missingLocally())
                .withData("staleLocally", last.result().staleLocally());
        if (last.degraded()) {
            builder.withData("action", "webhooks were lost and catch-up did not bring them: check the endpoint and "
                    + "its signing secret at Stripe, POST /admin/webhook-events/catch-up; samples: "
                    + last.result().missingSamples().stream().limit(5).map(d -> d.subscription()).toList());
        }
        return builder.build();
    }
}
