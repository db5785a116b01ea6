package io.meterline.billing.reporting;

import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Report run records (collection {@value #COLLECTION}), stored as {@link ReportRun} documents. */
@ApplicationScoped
public class ReportRunRepository implements PanacheMongoRepositoryBase<ReportRun, String> {

    public static final String COLLECTION = "report_runs";

    public void save(ReportRun run) {
        persistOrUpdate(run);
    }

    /** The run with this id, or null. */
    public ReportRun find(String id) {
        return findById(id);
    }

    public List<ReportRun> recent(int limit) {
        return findAll(Sort.descending("started")).page(0, limit).list();
    }
}
