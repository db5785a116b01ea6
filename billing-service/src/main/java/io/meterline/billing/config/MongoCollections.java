package io.meterline.billing.config;

import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import jakarta.enterprise.context.ApplicationScoped;
import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

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

    /**
     * Finds the documents with these ids, {@value #IDS_PER_QUERY} ids a query ({@code _id: {$in: …}}, the one access
     * path every MongoDB and the embedded dev server serve from an index). Short lists on purpose: the embedded
     * server matches every found document against the whole list (about a microsecond per comparison), so a
     * query's cost grows with the square of its list.
     */
    public static <T> void forEachById(MongoCollection<T> collection, Collection<String> ids, Bson projection,
            Consumer<T> consumer) {
        List<String> chunk = new ArrayList<>(IDS_PER_QUERY);
        for (Iterator<String> iterator = ids.iterator(); iterator.hasNext(); ) {
            chunk.add(iterator.next());
            if (chunk.size() == IDS_PER_QUERY || !iterator.hasNext()) {
                FindIterable<T> found = collection.find(Filters.in("_id", chunk));
                (projection == null ? found : found.projection(projection)).forEach(consumer);
                chunk.clear();
            }
        }
    }

    public static final int IDS_PER_QUERY = 50;

    /**
     * Documents per cursor batch for reads that may return many (windows, ledger entries, marks): given explicitly,
     * because the embedded dev server answers a find without one in a single reply, which the driver refuses above
     * 48 MB (720,000 windows made 70 MB).
     */
    public static final int READ_BATCH = 10_000;
}
