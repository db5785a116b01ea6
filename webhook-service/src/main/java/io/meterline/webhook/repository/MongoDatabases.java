package io.meterline.webhook.repository;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.mongodb.reactive.ReactiveMongoDatabase;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.conversions.Bson;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The Meterline database, blocking (processing runs on worker threads) and reactive (the acknowledging path). */
@ApplicationScoped
public class MongoDatabases {

    private final MongoDatabase blocking;
    private final ReactiveMongoDatabase reactive;

    public MongoDatabases(MongoClient client, ReactiveMongoClient reactiveClient,
                          @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.blocking = client.getDatabase(database);
        this.reactive = reactiveClient.getDatabase(database);
    }

    public MongoDatabase blocking() {
        return blocking;
    }

    public ReactiveMongoDatabase reactive() {
        return reactive;
    }

    /**
     * {@code {_id: id, <guard>}} as one flat filter: an upsert takes the new document's {@code _id} from a top-level
     * equality, which is unambiguous for every server (the Mongo-wire dev server included), unlike {@code $and}.
     */
    public static BsonDocument withId(String id, Bson guard) {
        BsonDocument filter = new BsonDocument("_id", new BsonString(id));
        filter.putAll(guard.toBsonDocument());
        return filter;
    }

    /** E11000: what a conditional upsert reports when the document exists but the condition did not hold. */
    public static boolean isDuplicateKey(Throwable e) {
        return e instanceof MongoWriteException write && write.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
    }
}
