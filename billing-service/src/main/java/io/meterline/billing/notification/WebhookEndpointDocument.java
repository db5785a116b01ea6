package io.meterline.billing.notification;

import io.quarkus.mongodb.panache.common.MongoEntity;
import org.bson.codecs.pojo.annotations.BsonId;

import java.util.Date;
import java.util.List;

/** An outgoing webhook endpoint (collection {@code webhook_endpoints}), managed through the admin API. */
@MongoEntity(collection = "webhook_endpoints")
public class WebhookEndpointDocument {

    @BsonId
    public String id;
    public String url;
    /** HMAC-SHA256 key of {@code Meterline-Signature}; shown once, when the endpoint is created. */
    public String secret;
    /** {@code period.closed}, {@code period.revised}. */
    public List<String> eventTypes;
    public boolean enabled;
    public String description;
    public Date createdAt;
    public Date updatedAt;
}
