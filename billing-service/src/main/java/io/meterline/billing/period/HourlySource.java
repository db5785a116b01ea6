package io.meterline.billing.period;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import io.meterline.billing.aggregation.WindowState;
import io.meterline.billing.config.MongoCollections;
import io.meterline.model.usage.MeterDefinition;
import io.meterline.model.usage.UsageWindowDocument;
import io.meterline.model.usage.Windows;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.bson.codecs.configuration.CodecRegistries;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Reads the hourly windows ({@code usage_windows}, typed) that periods are merged from. */
@ApplicationScoped
public class HourlySource {

    /** One series: the hourly windows of one meter, customer and group. */
    public static class Series {
        public SeriesKey id;
        public Map<String, String> group;
        public String organization;
        public Date first;
        public Date last;
    }

    public static class SeriesKey {
        public String subject;
        public String groupKey;
    }

    private final MongoCollection<UsageWindowDocument> windows;
    /** The same collection read as {@link HourlyWindow}s: the merge fields only, decoded by hand. */
    private final MongoCollection<HourlyWindow> hourly;

    public HourlySource(MongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.windows = client.getDatabase(database).getCollection(UsageWindowDocument.COLLECTION, UsageWindowDocument.class);
        this.hourly = windows.withDocumentClass(HourlyWindow.class).withCodecRegistry(CodecRegistries.fromRegistries(
                CodecRegistries.fromCodecs(new HourlyWindow.HourlyWindowCodec()), windows.getCodecRegistry()));
        // what a real MongoDB serves the time-range read and the late-event scan with (the embedded dev server
        // accepts non-unique indexes and ignores them: it scans)
        windows.createIndex(Indexes.ascending("meter", "windowStart"));
        windows.createIndex(Indexes.ascending("meter", "updatedAt"));
    }

    /**
     * The series of a meter with windows starting at or after {@code from}, with their first and last hour: one
     * aggregation (a collection scan on the embedded dev server, which ignores secondary indexes).
     */
    public List<Series> series(String meter, Date from) {
        return windows.aggregate(List.of(
                        Aggregates.match(new Document("meter", meter).append("windowStart", new Document("$gte", from))),
                        Aggregates.group(new Document("subject", "$subject").append("groupKey", "$groupKey"),
                                Accumulators.first("group", "$group"), Accumulators.last("organization", "$organization"),
                                Accumulators.min("first", "$windowStart"), Accumulators.max("last", "$windowStart"))),
                Series.class).into(new ArrayList<>());
    }

    /** Hourly windows of a meter written at or after {@code since} (identity and hour only). */
    public List<UsageWindowDocument> changedSince(String meter, Date since) {
        return windows.find(new Document("meter", meter).append("updatedAt", new Document("$gte", since)))
                .projection(Projections.include("meter", "subject", "organization", "groupKey", "group", "windowStart"))
                .batchSize(MongoCollections.READ_BATCH).into(new ArrayList<>());
    }

    /** Streams the hourly windows of one series starting in {@code [from, to)}, looked up by {@code _id}. */
    void forEachHourOf(MeterDefinition meter, String subject, String groupKey, long fromMillis, long toMillis,
            Consumer<HourlyWindow> action) {
        List<String> ids = new ArrayList<>();
        for (long hour = Windows.hourStartMillis(fromMillis); hour < toMillis; hour += Windows.HOUR_MILLIS) {
            ids.add(UsageWindowDocument.idOf(meter.key(), subject, groupKey, hour / 1000));
        }
        MongoCollections.forEachById(hourly, ids, HourlyWindow.fields(meter.aggregation()), action);
    }

    /**
     * Streams every hourly window of a meter starting in {@code [from, to)}, in no particular order: one query and a
     * few cursor batches instead of one lookup per series. Unsorted on purpose: sorting a month of windows by hour
     * held the embedded dev server's collection lock for tens of seconds (its in-memory sort compares field paths
     * split anew per comparison). A real MongoDB serves it with the {@code (meter, windowStart)} index.
     */
    void forEachHour(MeterDefinition meter, long fromMillis, long toMillis, Consumer<HourlyWindow> action) {
        hourly.find(new Document("meter", meter.key()).append("windowStart",
                        new Document("$gte", new Date(fromMillis)).append("$lt", new Date(toMillis))))
                .projection(HourlyWindow.fields(meter.aggregation()))
                .batchSize(MongoCollections.READ_BATCH)
                .forEach(action);
    }

    /**
     * Folds one hour into {@code state} (a period's running state), as {@link WindowState#merge} does; the fields its
     * aggregation does not read were not read and stay neutral.
     */
    static void mergeInto(WindowState state, HourlyWindow hour) {
        state.mergeValues(hour.count, hour.sum, hour.min, hour.max, hour.lastTime, hour.lastValue, hour.uniques);
        if (hour.organization != null) {
            state.organization = hour.organization;
        }
    }
}
