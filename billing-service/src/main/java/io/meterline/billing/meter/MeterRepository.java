package io.meterline.billing.meter;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import io.meterline.model.usage.MeterDefinition;
import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Meters in MongoDB (collection {@value #COLLECTION}), one {@link MeterDocument} per meter key. */
@ApplicationScoped
public class MeterRepository implements PanacheMongoRepositoryBase<MeterDocument, String> {

    public static final String COLLECTION = "meters";

    public List<MeterDefinition> findAllMeters() {
        return listAll().stream().map(MeterDocument::toDomain).toList();
    }

    public MeterDefinition find(String key) {
        return findByIdOptional(key).map(MeterDocument::toDomain).orElse(null);
    }

    /** Inserts the meter unless one with its key exists; true when inserted. */
    public boolean insertIfAbsent(MeterDefinition meter, String origin) {
        try {
            persist(MeterDocument.of(meter, origin));
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    public void save(MeterDefinition meter, String origin) {
        persistOrUpdate(MeterDocument.of(meter, origin));
    }
}
