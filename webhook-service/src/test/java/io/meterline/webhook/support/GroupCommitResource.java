package io.meterline.webhook.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * For {@code GroupCommitIT}: a store outage is noticed within seconds (not the driver's 30 s server selection),
 * and bodies larger than a Mongo document may reach the service, so that its own limit is what refuses them.
 */
public class GroupCommitResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "quarkus.mongodb.server-selection-timeout", "2s",
                "quarkus.http.limits.max-body-size", "24M");
    }

    @Override
    public void stop() {
    }
}
