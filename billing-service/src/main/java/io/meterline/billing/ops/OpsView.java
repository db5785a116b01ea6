package io.meterline.billing.ops;

import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.meter.MeterService;
import io.meterline.billing.reconciliation.ReconciliationRepository;
import io.meterline.billing.reconciliation.ReconciliationRun;
import io.meterline.billing.reconciliation.ReconciliationService;
import io.meterline.billing.reconciliation.ReconciliationWindow;
import io.meterline.billing.reporting.LedgerEntry;
import io.meterline.billing.reporting.ReportLedgerRepository;
import io.meterline.billing.reporting.StreamRequestJournal;
import io.meterline.billing.reporting.ReportRun;
import io.meterline.billing.reporting.ReportingService;
import io.meterline.billing.usage.UsageExplainService;
import io.meterline.billing.usage.UsageExplanation;
import io.meterline.billing.usage.UsagePeriod;
import io.meterline.billing.usage.UsageQueryService;
import io.meterline.model.usage.MeterDefinition;
import io.meterline.model.usage.WindowSize;
import io.meterline.model.usage.Windows;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the console shows, gathered from billing's own services and meters. It reads only; the one action (replay)
 * goes through {@link WebhookEvents}. Customer, run and reconciliation pages link to the explain page of each hour.
 */
@ApplicationScoped
public class OpsView {

    /** A lag reading: a Kafka client of billing and the largest lag over its partitions. */
    public record Lag(String client, double records) {
        public String shown() {
            return UsageChart.format(Math.rint(records));
        }
    }

    public record Rates(double aggregatedPerMinute, double dlqPerMinute, long minutes) {
        public String aggregated() {
            return UsageChart.format(Math.rint(aggregatedPerMinute * 10) / 10);
        }

        public String dlq() {
            return UsageChart.format(Math.rint(dlqPerMinute * 10) / 10);
        }
    }

    public record MeterChart(String meter, String stripeEventName, double counted, long reported, String svg,
            List<HourRow> hours) {
        public String countedText() {
            return UsageChart.format(counted);
        }
    }

    /**
     * An hour with usage or a delivery, and the latest reconciliation verdict for it (null: never reconciled), with
     * the links to its explain page and to that reconciliation run.
     */
    public record HourRow(Instant hour, String counted, Long reported, ReconciliationWindow verdict, String explainHref) {
    }

    private final MeterRegistry registry;
    private final ReportingService reporting;
    private final MeterService meters;
    private final UsageQueryService usage;
    private final ReportLedgerRepository ledger;
    private final BillingConfig config;
    private final ReconciliationService reconciliation;
    private final ReconciliationRepository reconciliations;
    private final UsageExplainService explain;
    private final StreamRequestJournal journal;
    /** (epoch second, aggregated total, DLQ total), one sample a minute for the last hour. */
    private final Deque<double[]> samples = new ArrayDeque<>();

    public OpsView(MeterRegistry registry, ReportingService reporting, MeterService meters, UsageQueryService usage,
            ReportLedgerRepository ledger, BillingConfig config, ReconciliationService reconciliation,
            ReconciliationRepository reconciliations, UsageExplainService explain, StreamRequestJournal journal) {
        this.journal = journal;
        this.reconciliation = reconciliation;
        this.reconciliations = reconciliations;
        this.explain = explain;
        this.registry = registry;
        this.reporting = reporting;
        this.meters = meters;
        this.usage = usage;
        this.ledger = ledger;
        this.config = config;
    }

    public boolean dryRun() {
        return reporting.dryRun();
    }

    public List<Lag> lag() {
        // one gauge per client and extra tag set (Kafka binds some twice): keep the largest per client
        Map<String, Double> byClient = new TreeMap<>();
        for (Gauge gauge : registry.find("kafka.consumer.fetch.manager.records.lag.max").gauges()) {
            double value = gauge.value();
            byClient.merge(String.valueOf(gauge.getId().getTag("client.id")), Double.isNaN(value) ? 0 : value, Math::max);
        }
        List<Lag> out = new ArrayList<>();
        byClient.forEach((client, records) -> out.add(new Lag(client, records)));
        return out;
    }

    public Map<String, Long> dlqByReason() {
        Map<String, Long> out = new TreeMap<>();
        for (Counter counter : registry.find("meterline.billing.events.dlq").counters()) {
            out.merge(counter.getId().getTag("reason"), (long) counter.count(), Long::sum);
        }
        return out;
    }

    @Scheduled(identity = "ops-rate-sample", every = "60s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sample() {
        double dlq = dlqByReason().values().stream().mapToLong(Long::longValue).sum();
        Counter aggregated = registry.find("meterline.billing.events.aggregated").counter();
        synchronized (samples) {
            samples.addLast(new double[] {Instant.now().getEpochSecond(), aggregated == null ? 0 : aggregated.count(), dlq});
            while (samples.size() > 61) {
                samples.removeFirst();
            }
        }
    }

    /** Event and DLQ rates over the last hour of this instance (or since it started, when younger). */
    public Rates rates() {
        synchronized (samples) {
            if (samples.size() < 2) {
                return new Rates(0, 0, 0);
            }
            double[] first = samples.getFirst();
            double[] last = samples.getLast();
            double minutes = (last[0] - first[0]) / 60.0;
            return new Rates((last[1] - first[1]) / minutes, (last[2] - first[2]) / minutes, Math.round(minutes));
        }
    }

    public List<ReportRun> recentRuns() {
        return reporting.recent(config.ops().recentRuns());
    }

    public ReportRun run(String id) {
        return reporting.find(id);
    }

    public List<ReconciliationRun> recentReconciliations() {
        return reconciliation.recent(config.ops().recentRuns());
    }

    /** A reconciliation run with its first {@code size} differing windows, or null. */
    public ReconciliationRun reconciliation(String id, int size) {
        ReconciliationRun run = reconciliations.find(id);
        if (run != null) {
            run.page = 0;
            run.size = size;
            run.windows = reconciliations.windowsOf(id, 0, size);
        }
        return run;
    }

    /** The explanation of one hour, or null when the meter is unknown. */
    public UsageExplanation explain(String meterKey, String subject, Instant hour) {
        MeterDefinition meter = meters.find(meterKey);
        return meter == null ? null : explain.explain(meter, subject, Windows.hourStart(hour));
    }

    /** Per meter: the subject's hourly usage over the last {@code hours} next to what Stripe acknowledged. */
    public List<MeterChart> customer(String subject, int hours) {
        Instant to = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        Instant from = to.minus(Duration.ofHours(hours));
        Map<String, LedgerEntry> reported = journal.upToDate(() -> ledger.loadSince(from.getEpochSecond()));
        List<MeterChart> charts = new ArrayList<>();
        for (MeterDefinition meter : meters.all()) {
            List<UsagePeriod> periods = usage.query(meter, subject, from, to, WindowSize.HOUR, ZoneOffset.UTC, List.of());
            if (periods.isEmpty()) {
                continue;
            }
            Map<Long, Long> stripe = new TreeMap<>();
            reported.values().stream().filter(e -> subject.equals(e.subject) && meter.key().equals(e.meter))
                    .forEach(e -> stripe.merge(e.windowStart, e.reported, Long::sum));
            List<UsageChart.Hour> hoursOut = new ArrayList<>();
            List<HourRow> rows = new ArrayList<>();
            double counted = 0;
            long delivered = 0;
            for (Instant hour = from; hour.isBefore(to); hour = hour.plus(Duration.ofHours(1))) {
                Instant start = hour;
                double value = periods.stream().filter(p -> p.start().equals(start)).mapToDouble(UsagePeriod::value).sum();
                Long sent = stripe.get(start.getEpochSecond());
                counted += value;
                delivered += sent == null ? 0 : sent;
                hoursOut.add(new UsageChart.Hour(start, value, sent));
                if (value != 0 || sent != null) {
                    rows.add(new HourRow(start, UsageChart.format(value), sent,
                            reconciliations.latest(meter.key(), subject, start.getEpochSecond()),
                            OpsLinks.explain(meter.key(), subject, start)));
                }
            }
            charts.add(new MeterChart(meter.key(), meter.stripeEventName(), counted, delivered,
                    UsageChart.svg(meter.key() + " for " + subject + ", hourly", hoursOut), rows));
        }
        return charts;
    }
}
