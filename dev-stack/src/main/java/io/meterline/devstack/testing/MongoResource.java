package io.meterline.devstack.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Points a Quarkus application under test at the shared embedded Mongo-wire server. */
public class MongoResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "quarkus.mongodb.connection-string", SharedInfrastructure.mongo().connectionString(),
                "quarkus.mongodb.devservices.enabled", "false");
    }

    @Override
    public void stop() {
        // shared by every test of the module: stopped when the JVM exits
    }
}
