package io.meterline.webhook.scheduler;

import io.meterline.webhook.repository.CustomerRepository;
import io.meterline.webhook.repository.SubscriptionRepository;
import io.meterline.webhook.repository.WebhookEventRepository;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** Creates the indexes a real MongoDB needs for the sweep and billing's lookups. */
@ApplicationScoped
public class StartupIndexes {

    private static final Logger LOG = Logger.getLogger(StartupIndexes.class);

    void onStart(@Observes StartupEvent event, WebhookEventRepository events, CustomerRepository customers,
                 SubscriptionRepository subscriptions) {
        try {
            events.createIndexes();
            customers.createIndexes();
            subscriptions.createIndexes();
        } catch (RuntimeException e) {
            // Mongo down at start: readiness reports it; indexes are an optimisation, not a correctness need
            LOG.warnf("could not create indexes: %s", e.getMessage());
        }
    }
}
