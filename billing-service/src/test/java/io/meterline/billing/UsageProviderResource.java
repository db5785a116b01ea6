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
        Map<String, String> config = new HashMap<>();
        config.put("billing.sources.calls.url", provider().url());
        config.put("billing.sources.calls.token", provider().token());
        config.put("billing.sources.calls.page-size", "500");
        config.put("billing.sources.pushed.kind", "push");
        config.put("billing.reconciliation.cron", "off");
        for (String source : new String[] {"calls", "pushed"}) {
            String prefix = "billing.sources." + source + ".";
            config.put(prefix + "event-source", EVENT_SOURCE);
            config.put(prefix + "id-path", "call_id");
            config.put(prefix + "subject-path", "account.id");
            config.put(prefix + "type-path", "kind");
            config.put(prefix + "time-path", "started_at");
            config.put(prefix + "value-path", "billable_seconds");
            config.put(prefix + "value-field", "seconds");
            config.put(prefix + "unit-price", "2");
        }
        return config;
    }

    @Override
    public void stop() {
    }
}
