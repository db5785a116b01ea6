package io.meterline.billing.notification;

import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Outgoing webhook endpoints: plain documents, plain Panache. */
@ApplicationScoped
public class WebhookEndpointRepository implements PanacheMongoRepositoryBase<WebhookEndpointDocument, String> {

    public List<WebhookEndpointDocument> enabled() {
        return list("enabled", true);
    }
}
