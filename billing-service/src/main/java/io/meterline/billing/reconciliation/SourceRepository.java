package io.meterline.billing.reconciliation;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.WriteModel;
import io.meterline.billing.config.MongoCollections;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/** Usage-source runs and the events they recovered. */
@ApplicationScoped
public class SourceRepository {

    public static final String RUNS = "source_runs";
    public static final String RECOVERED = "recovered_events";
    private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);

    private final MongoCollection<SourceRun> runs;
    private final MongoCollection<RecoveredEvent> recovered;

    public SourceRepository(MongoCollections collections) {
        this.runs = collections.collection(RUNS, SourceRun.class);
        this.recovered = collections.collection(RECOVERED, RecoveredEvent.class);
    }

    public void save(SourceRun run) {
        runs.replaceOne(Filters.eq("_id", run.id), run, UPSERT);
    }

    public SourceRun find(String id) {
        return runs.find(Filters.eq("_id", id)).first();
    }

    public List<SourceRun> recent(String source, int limit) {
        return runs.find(Filters.eq("source", source)).sort(Sorts.descending("started")).limit(limit)
                .into(new ArrayList<>());
    }

    public void saveRecovered(List<RecoveredEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        List<WriteModel<RecoveredEvent>> writes = new ArrayList<>(events.size());
        for (RecoveredEvent e : events) {
            writes.add(new ReplaceOneModel<>(Filters.eq("_id", e.id), e, UPSERT));
        }
        recovered.bulkWrite(writes, new BulkWriteOptions().ordered(false));
    }

    /** Recovered events of one subject and hour (the hour is a unique-free field: filtered after a subject scan). */
    public List<RecoveredEvent> recoveredIn(String subject, long hour) {
        return recovered.find(Filters.eq("subject", subject)).into(new ArrayList<>()).stream()
                .filter(e -> e.hour == hour).toList();
    }
}
