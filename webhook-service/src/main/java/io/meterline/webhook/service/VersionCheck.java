package io.meterline.webhook.service;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The running version in {@code /q/health/ready} (check {@code version}, data {@code version}), where billing's ops
 * console reads it for all three services. quarkus-info would serve it at {@code /q/info}, but it is not available
 * at our Quarkus version on the build's Maven mirror (see docs/decisions/0122-log-context-and-versions.md).
 */
@Readiness
@ApplicationScoped
public class VersionCheck implements HealthCheck {

    /** The check's name and its data key (billing's console looks for both). */
    public static final String NAME = "version";

    private final String version;

    public VersionCheck(@ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
        this.version = version;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named(NAME).up().withData(NAME, version).build();
    }
}
