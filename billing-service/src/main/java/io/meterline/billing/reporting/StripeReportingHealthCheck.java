package io.meterline.billing.reporting;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Says whether reporting talks to Stripe or runs dry (no key), and how the last run went. Never fails readiness. */
@Readiness
@ApplicationScoped
public class StripeReportingHealthCheck implements HealthCheck {

    private final ReportingService reporting;

    public StripeReportingHealthCheck(ReportingService reporting) {
        this.reporting = reporting;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("stripe reporting").up()
                .withData("mode", reporting.dryRun() ? "dry-run" : "live");
        if (!reporting.dryRun()) {
            builder.withData("apiBase", reporting.apiBase());
        }
        ReportRun last = reporting.lastRun();
        if (last != null) {
            builder.withData("lastRun", last.id).withData("lastRunStatus", last.status)
                    .withData("lastRunFailed", last.failed);
        }
        return builder.build();
    }
}
