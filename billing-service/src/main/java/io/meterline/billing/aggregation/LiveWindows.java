package io.meterline.billing.aggregation;

import io.meterline.billing.config.BillingConfig;
import io.meterline.model.UsageEventValidator;
import io.meterline.model.usage.UsageWindowDocument;
import io.meterline.model.usage.Windows;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Hourly windows as Kafka Streams holds them now, for answers fresher than MongoDB: the windows store (interactive
 * queries) has every window as of its task's last commit, {@link RecentWindows} what changed since, MongoDB what the
 * writer has copied so far (decisions 0026, 0028). A window is taken from whichever has the higher version. Input
 * records are keyed by subject, so all windows of one customer live in one task; with several billing instances that task's instance is the
 * customer's {@link #remoteOwner owner}, found from the Streams metadata when {@code application.server} is set.
 */
@ApplicationScoped
public class LiveWindows {

    private static final Logger LOG = Logger.getLogger(LiveWindows.class);
    private static final StringSerializer KEYS = new StringSerializer();

    private final KafkaStreams streams;
    private final BillingConfig config;
    private final Optional<HostInfo> self;
    private final Clock clock = Clock.systemUTC();
    private final RecentWindows recent;

    public LiveWindows(KafkaStreams streams, BillingConfig config, RecentWindows recent,
            @ConfigProperty(name = "quarkus.kafka-streams.application-server") Optional<String> applicationServer) {
        this.streams = streams;
        this.config = config;
        this.recent = recent;
        this.self = applicationServer.filter(server -> !server.isBlank()).map(HostInfo::buildFromEndpoint);
    }

    /**
     * The {@code host:port} of another instance that runs the subject's aggregation task, or empty when this
     * instance does, when only one instance runs unnamed ({@code application.server} unset), or while the owner is
     * not known (rebalancing): then the answer comes from this instance's store and MongoDB.
     */
    public Optional<String> remoteOwner(String subject) {
        if (self.isEmpty() || !config.aggregation().liveQueries()) {
            return Optional.empty();
        }
        try {
            KeyQueryMetadata metadata = streams.queryMetadataForKey(AggregationProcessor.WINDOW_STORE, subject, KEYS);
            if (metadata == null || metadata == KeyQueryMetadata.NOT_AVAILABLE) {
                return Optional.empty();
            }
            HostInfo owner = metadata.activeHost();
            return owner.equals(self.get()) ? Optional.empty() : Optional.of(owner.host() + ":" + owner.port());
        } catch (RuntimeException e) {
            LOG.debugf("owner of %s unknown: %s", subject, e.toString());
            return Optional.empty();
        }
    }

    /**
     * {@code stored} (windows read from MongoDB for one meter and subject, starting in {@code [from, to)}) with each
     * window replaced by the store's when that is newer, and the windows only the store has yet added.
     * {@code grouped} selects the grouped windows (group key not empty) instead of the ungrouped ones, as the read
     * from MongoDB did. When the store cannot be read (starting, rebalancing, another instance owns the subject),
     * {@code stored} is the answer.
     */
    public List<WindowState> overlay(String meter, String subject, boolean grouped, long fromMillis, long toMillis,
            List<WindowState> stored) {
        if (!config.aggregation().liveQueries()) {
            return stored;
        }
        ReadOnlyKeyValueStore<String, byte[]> store;
        try {
            store = windowStore();
        } catch (InvalidStateStoreException e) {
            return stored;
        }
        long now = clock.millis();
        // the store holds the lookback (older windows are swept); outside it MongoDB is the only source
        long from = Math.max(fromMillis,
                Windows.hourStartMillis(now - config.aggregation().lookback().toMillis()) - Windows.HOUR_MILLIS);
        // events dated further ahead are refused at validation, so no window starts later
        long to = Math.min(toMillis, now + UsageEventValidator.MAX_FUTURE_SKEW.toMillis() + Windows.HOUR_MILLIS);
        if (from >= to) {
            return stored;
        }
        Map<String, WindowState> windows = new LinkedHashMap<>();
        for (WindowState window : stored) {
            windows.put(window.id(), window);
        }
        try {
            if (grouped) {
                String prefix = meter + "|" + subject + "|";
                try (KeyValueIterator<String, byte[]> iterator = store.prefixScan(prefix, KEYS)) {
                    while (iterator.hasNext()) {
                        var entry = iterator.next();
                        WindowState live = WindowState.fromBytes(entry.value);
                        // a subject containing '|' shares the prefix with others: compare the fields, not the key
                        if (!live.groupKey.isEmpty() && live.subject.equals(subject) && live.meter.equals(meter)
                                && live.windowStart >= from && live.windowStart < to) {
                            newer(windows, entry.key, live);
                        }
                    }
                }
                for (byte[] bytes : recent.of(meter, subject)) {
                    WindowState live = WindowState.fromBytes(bytes);
                    if (!live.groupKey.isEmpty() && live.subject.equals(subject) && live.meter.equals(meter)
                            && live.windowStart >= from && live.windowStart < to) {
                        newer(windows, live.id(), live);
                    }
                }
            } else {
                for (long hour = Windows.hourStartMillis(from); hour < to; hour += Windows.HOUR_MILLIS) {
                    String id = UsageWindowDocument.idOf(meter, subject, "", hour / 1000);
                    for (byte[] bytes : new byte[][] {store.get(id), recent.get(meter, subject, id)}) {
                        if (bytes != null) {
                            newer(windows, id, WindowState.fromBytes(bytes));
                        }
                    }
                }
            }
        } catch (InvalidStateStoreException e) {
            // the task moved away while reading: MongoDB's windows are a correct, older answer
            return stored;
        }
        return new ArrayList<>(windows.values());
    }

    /**
     * Whether this instance's windows store has any window of the meter, including windows not yet copied to
     * MongoDB (the caller asks MongoDB too; other instances' windows reach MongoDB within moments).
     */
    public boolean anyForMeter(String meter) {
        if (!config.aggregation().liveQueries()) {
            return false;
        }
        if (recent.anyForMeter(meter)) {
            return true;
        }
        try {
            try (KeyValueIterator<String, byte[]> iterator = windowStore().prefixScan(meter + "|", KEYS)) {
                while (iterator.hasNext()) {
                    if (WindowState.fromBytes(iterator.next().value).meter.equals(meter)) {
                        return true;
                    }
                }
            }
        } catch (InvalidStateStoreException e) {
            // not queryable now: MongoDB's answer stands
        }
        return false;
    }

    /** This instance's windows store, read-only; throws {@link InvalidStateStoreException} while it cannot be read. */
    private ReadOnlyKeyValueStore<String, byte[]> windowStore() {
        return streams.store(StoreQueryParameters.fromNameAndType(AggregationProcessor.WINDOW_STORE,
                QueryableStoreTypes.<String, byte[]>keyValueStore()));
    }

    private static void newer(Map<String, WindowState> windows, String id, WindowState live) {
        WindowState known = windows.get(id);
        if (known == null || live.version > known.version) {
            windows.put(id, live);
        }
    }
}
