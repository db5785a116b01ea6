package io.meterline.billing.meter;

import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;
import io.quarkus.mongodb.panache.common.MongoEntity;
import org.bson.codecs.pojo.annotations.BsonId;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One meter as stored (collection {@code meters}); {@link MeterDefinition} is what the rest of billing uses. */
@MongoEntity(collection = MeterRepository.COLLECTION)
public class MeterDocument {
    @BsonId
    public String key;
    public String eventType;
    public Aggregation aggregation;
    public String valuePath;
    public Map<String, String> filter;
    public List<String> groupBy;
    public String stripeEventName;
    public String stripePriceId;
    /** {@code config} (seeded from configuration) or {@code api}. */
    public String origin;
    public Date updatedAt;

    static MeterDocument of(MeterDefinition meter, String origin) {
        MeterDocument document = new MeterDocument();
        document.key = meter.key();
        document.eventType = meter.eventType();
        document.aggregation = meter.aggregation();
        document.valuePath = meter.valuePath();
        document.filter = new LinkedHashMap<>(meter.filter());
        document.groupBy = List.copyOf(meter.groupBy());
        document.stripeEventName = meter.stripeEventName();
        document.stripePriceId = meter.stripePriceId();
        document.origin = origin;
        document.updatedAt = new Date();
        return document;
    }

    MeterDefinition toDomain() {
        return new MeterDefinition(key, eventType, aggregation, valuePath, filter == null ? Map.of() : filter,
                groupBy == null ? List.of() : groupBy, stripeEventName, stripePriceId);
    }
}
