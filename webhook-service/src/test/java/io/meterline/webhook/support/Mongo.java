package io.meterline.webhook.support;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import org.bson.Document;

/** Reads what the service wrote, straight from the (real, wire-protocol) Mongo server. */
public final class Mongo {

    private Mongo() {
    }

    public static MongoCollection<Document> collection(MongoClient client, String name) {
        return client.getDatabase("meterline").getCollection(name);
    }

    public static Document byId(MongoClient client, String collection, String id) {
        return collection(client, collection).find(Filters.eq("_id", id)).first();
    }

    public static Document event(MongoClient client, String id) {
        return byId(client, "stripe_webhook_events", id);
    }
}
