package io.meterline.billing.config;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The billing database for the compare-and-set paths (usage windows, the report ledger, the lease) that need exact
 * filter shapes, reached with the blocking driver (callers run on worker or Kafka threads). Plain documents use
 * Panache repositories instead (decision 0070).
 */
@ApplicationScoped
public class MongoCollections {

    private final MongoDatabase database;

    public MongoCollections(MongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.database = client.getDatabase(database);
    }

    public MongoCollection<Document> collection(String name) {
        return database.getCollection(name);
    }

    /** A collection of typed documents (public fields, mapped by the driver's POJO codec): no hand mapping. */
    public <T> MongoCollection<T> collection(String name, Class<T> type) {
        return database.getCollection(name, type);
    }
}
