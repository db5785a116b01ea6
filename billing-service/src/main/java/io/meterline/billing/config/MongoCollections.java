package io.meterline.billing.config;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The billing database, reached with the blocking driver (callers run on worker or Kafka threads). */
@ApplicationScoped
public class MongoCollections {

    private final MongoDatabase database;

    public MongoCollections(MongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.database = client.getDatabase(database);
    }

    public MongoCollection<Document> collection(String name) {
        return database.getCollection(name);
    }
}
