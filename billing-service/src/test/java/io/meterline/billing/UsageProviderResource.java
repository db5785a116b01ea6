package io.meterline.billing;

import io.meterline.devstack.provider.UsageProviderStandIn;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * A usage provider stand-in, configured as pull source {@code calls} (bearer token, 500 records a page, field mapping
 * from the provider's call records) and as push source {@code pushed} (same mapping).
 */
public class UsageProviderResource implements QuarkusTestResourceLifecycleManager {

    static final String EVENT_SOURCE = "provider-calls";
    private static UsageProviderStandIn provider;

    static synchronized UsageProviderStandIn provider() {
        if (provider == null) {
            provider = UsageProviderStandIn.start(0);
            Runtime.getRuntime().addShutdownHook(new Thread(provider::close, "usage-provider-shutdown"));
        }
        return provider;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(provider().billingSourceConfig("calls", EVENT_SOURCE, 500));
        config.put("billing.sources.calls.unit-price", "2");
        // the same mapping as a push source
        provider().billingSourceConfig("pushed", EVENT_SOURCE, 500).forEach((key, value) -> {
            if (!key.endsWith(".url") && !key.endsWith(".token")) {
                config.put(key, value);
            }
        });
        config.put("billing.sources.pushed.kind", "push");
        config.put("billing.reconciliation.cron", "off");
        return config;
    }

    @Override
    public void stop() {
    }
}
