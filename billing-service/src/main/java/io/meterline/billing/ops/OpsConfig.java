package io.meterline.billing.ops;

import io.smallrye.config.WithDefault;

import java.util.Optional;

/** {@code billing.ops.*}: where the console finds the other services, and its cookie. */
public interface OpsConfig {

    /** Base URL of ingest-service (for its readiness), e.g. {@code http://ingest-service}; absent = not shown. */
    Optional<String> ingestUrl();

    /** Base URL of webhook-service (readiness, dead and retrying events, replay); absent = not shown. */
    Optional<String> webhookUrl();

    /** Mark the session cookie {@code Secure}; browsers accept it on https and on http://localhost. */
    @WithDefault("true")
    boolean secureCookie();

    /** How many report runs the console lists. */
    @WithDefault("10")
    int recentRuns();
}
