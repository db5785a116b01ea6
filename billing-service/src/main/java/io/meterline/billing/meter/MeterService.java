package io.meterline.billing.meter;

import io.meterline.billing.aggregation.LiveWindows;
import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.config.MeterConfig;
import io.meterline.billing.usage.UsageWindowRepository;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.model.Violation;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The meters: MongoDB is their home (seeded from {@code billing.meters.*} when absent); this bean keeps an
 * immutable snapshot, indexed by event type, that the Kafka Streams threads read without locking. The snapshot is
 * replaced on every change made here and re-read from MongoDB periodically, so changes made through another
 * instance are seen within {@code billing.aggregation.meter-refresh-interval}.
 */
@Startup
@ApplicationScoped
public class MeterService implements MeterLookup {

    private static final Logger LOG = Logger.getLogger(MeterService.class);
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final MeterRepository meters;
    private final UsageWindowRepository windows;
    /** Looked up when needed: the aggregation's streams are built from the meters this service holds. */
    private final Instance<LiveWindows> live;
    private final BillingConfig config;
    private final MeterCheckService checks;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());

    public MeterService(MeterRepository meters, UsageWindowRepository windows, Instance<LiveWindows> live,
            BillingConfig config, MeterCheckService checks) {
        this.meters = meters;
        this.windows = windows;
        this.live = live;
        this.config = config;
        this.checks = checks;
    }

    @PostConstruct
    void seedAndLoad() {
        for (Map.Entry<String, MeterConfig> entry : config.meters().entrySet()) {
            MeterDefinition meter = fromConfig(entry.getKey(), entry.getValue());
            List<Violation> violations = validate(meter);
            if (!violations.isEmpty()) {
                throw new IllegalStateException("billing.meters." + entry.getKey() + " is invalid: " + violations);
            }
            if (meters.insertIfAbsent(meter, "config")) {
                LOG.infof("meter %s seeded from configuration", meter.key());
            }
        }
        refresh();
    }

    @Scheduled(every = "${billing.aggregation.meter-refresh-interval}", delayed = "${billing.aggregation.meter-refresh-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void refresh() {
        // synchronized: a scheduled refresh that read the meters before a save must not replace the snapshot the
        // save's own refresh installed (a meter just saved answered 404 until the next refresh)
        snapshot = Snapshot.of(meters.findAllMeters());
    }

    /** Meters selecting events of {@code eventType}; empty when none. Called for every event: no I/O. */
    @Override
    public List<MeterMatcher> matchersFor(String eventType) {
        return snapshot.byType.getOrDefault(eventType, List.of());
    }

    public Collection<MeterDefinition> all() {
        return snapshot.byKey.values();
    }

    /** The meter, or null. */
    public MeterDefinition find(String key) {
        return snapshot.byKey.get(key);
    }

    /**
     * Creates or replaces a meter. A meter whose Stripe billing meter exists but would bill something else (formula,
     * keys) or is inactive is refused ({@code stripe_meter_mismatch}, with the fix); one whose Stripe meter does not
     * exist yet is saved and flagged (not reported until it exists). Changing the aggregation of a meter that already has usage is refused: the
     * stored windows' state would no longer mean what the new aggregation needs.
     */
    public MeterDefinition save(MeterDefinition meter) {
        List<Violation> violations = validate(meter);
        if (!violations.isEmpty()) {
            throw new BillingException(ErrorCode.INVALID_METER, "meter " + meter.key() + " is invalid", violations);
        }
        MeterDefinition existing = meters.find(meter.key());
        if (existing != null && existing.aggregation() != meter.aggregation()
                && (windows.anyForMeter(meter.key()) || live.get().anyForMeter(meter.key()))) {
            throw new BillingException(ErrorCode.METER_AGGREGATION_LOCKED, "meter " + meter.key() + " already has usage "
                    + "aggregated as " + existing.aggregation() + "; changing it to " + meter.aggregation()
                    + " would mix incompatible windows. Create a new meter key instead.",
                    List.of(new Violation("aggregation", "locked", "aggregation is " + existing.aggregation()
                            + " and usage exists")));
        }
        MeterCheck check = checks.check(meter);
        if (check.refusesDeclaration()) {
            throw new BillingException(ErrorCode.STRIPE_METER_MISMATCH, "meter " + meter.key() + " cannot report to Stripe meter "
                    + check.stripeMeterId() + " (event_name " + meter.stripeEventName() + "): " + check.explanation(),
                    check.problems());
        }
        meters.save(meter, "api");
        checks.remember(meter.key(), check);
        refresh();
        return meter;
    }

    static List<Violation> validate(MeterDefinition meter) {
        List<Violation> violations = new ArrayList<>();
        if (meter.key() == null || !KEY.matcher(meter.key()).matches()) {
            violations.add(new Violation("key", "invalid_format",
                    "key must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"));
        }
        if (meter.eventType() == null || meter.eventType().isBlank()) {
            violations.add(new Violation("eventType", "missing", "eventType is required"));
        }
        if (meter.aggregation() == null) {
            violations.add(new Violation("aggregation", "missing",
                    "aggregation is required: one of SUM, COUNT, MAX, MIN, AVG, LAST, UNIQUE_COUNT"));
        } else if (meter.aggregation() != Aggregation.COUNT && (meter.valuePath() == null || meter.valuePath().isBlank())) {
            violations.add(new Violation("valuePath", "missing", "valuePath is required for " + meter.aggregation()));
        }
        if (meter.stripeEventName() == null || meter.stripeEventName().isBlank()) {
            violations.add(new Violation("stripeEventName", "missing", "stripeEventName is required"));
        }
        return violations;
    }

    private static MeterDefinition fromConfig(String key, MeterConfig meter) {
        return new MeterDefinition(key, meter.eventType(), meter.aggregation(), meter.valuePath().orElse(null),
                meter.filter(), meter.groupBy().orElse(List.of()), meter.stripeEventName(),
                meter.stripePriceId().orElse(null));
    }

    private record Snapshot(Map<String, MeterDefinition> byKey, Map<String, List<MeterMatcher>> byType) {
        static Snapshot of(List<MeterDefinition> definitions) {
            Map<String, MeterDefinition> byKey = new TreeMap<>();
            Map<String, List<MeterMatcher>> byType = new HashMap<>();
            for (MeterDefinition meter : definitions) {
                byKey.put(meter.key(), meter);
                byType.computeIfAbsent(meter.eventType(), type -> new ArrayList<>()).add(new MeterMatcher(meter));
            }
            byType.replaceAll((type, list) -> List.copyOf(list));
            return new Snapshot(java.util.Collections.unmodifiableMap(byKey), Map.copyOf(byType));
        }
    }
}
