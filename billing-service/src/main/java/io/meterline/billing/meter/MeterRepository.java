package io.meterline.billing.meter;

import io.meterline.billing.config.MongoCollections;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Meters in MongoDB (collection {@value #COLLECTION}), one document per meter key. */
@ApplicationScoped
public class MeterRepository {

    public static final String COLLECTION = "meters";

    private final MongoCollection<Document> meters;

    public MeterRepository(MongoCollections collections) {
        this.meters = collections.collection(COLLECTION);
    }

    public List<MeterDefinition> findAll() {
        List<MeterDefinition> all = new ArrayList<>();
        for (Document document : meters.find()) {
            all.add(toDomain(document));
        }
        return all;
    }

    public MeterDefinition find(String key) {
        Document document = meters.find(Filters.eq("_id", key)).first();
        return document == null ? null : toDomain(document);
    }

    /** Inserts the meter unless one with its key exists; true when inserted. */
    public boolean insertIfAbsent(MeterDefinition meter, String origin) {
        try {
            meters.insertOne(toDocument(meter, origin));
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    public void save(MeterDefinition meter, String origin) {
        meters.replaceOne(Filters.eq("_id", meter.key()), toDocument(meter, origin), new ReplaceOptions().upsert(true));
    }

    private static Document toDocument(MeterDefinition meter, String origin) {
        return new Document("_id", meter.key())
                .append("eventType", meter.eventType())
                .append("aggregation", meter.aggregation().name())
                .append("valuePath", meter.valuePath())
                .append("filter", new Document(new LinkedHashMap<String, Object>(meter.filter())))
                .append("groupBy", meter.groupBy())
                .append("stripeEventName", meter.stripeEventName())
                .append("stripePriceId", meter.stripePriceId())
                .append("origin", origin)
                .append("updatedAt", new Date());
    }

    private static MeterDefinition toDomain(Document document) {
        Map<String, String> filter = new LinkedHashMap<>();
        Document filterDocument = document.get("filter", Document.class);
        if (filterDocument != null) {
            filterDocument.forEach((key, value) -> filter.put(key, String.valueOf(value)));
        }
        List<String> groupBy = document.getList("groupBy", String.class, List.of());
        return new MeterDefinition(document.getString("_id"), document.getString("eventType"),
                Aggregation.valueOf(document.getString("aggregation")), document.getString("valuePath"), filter,
                groupBy, document.getString("stripeEventName"), document.getString("stripePriceId"));
    }
}
