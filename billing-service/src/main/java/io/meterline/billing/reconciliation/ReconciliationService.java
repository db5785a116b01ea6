package io.meterline.billing.reconciliation;

import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.config.ReconciliationConfig;
import io.meterline.billing.meter.MeterService;
import io.meterline.billing.reporting.CustomerDirectory;
import io.meterline.billing.reporting.DeltaPlanner;
import io.meterline.billing.reporting.LedgerEntry;
import io.meterline.billing.lease.LeaseRepository;
import io.meterline.billing.reporting.ReportLedgerRepository;
import io.meterline.billing.reporting.ReportSourceRepository;
import io.meterline.billing.reporting.StreamRequestJournal;
import io.meterline.billing.reporting.SkipReason;
import io.meterline.billing.reporting.WindowView;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.billing.stripe.CountingHttpClient;
import io.meterline.billing.stripe.StripeCallException;
import io.meterline.billing.stripe.StripeMeterGateway;
import io.meterline.billing.stripe.StripeMeterSummaries;
import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;
import io.meterline.model.usage.Windows;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import io.meterline.billing.logging.LogContext;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Proves Meterline's numbers against Stripe, per (Stripe customer, meter, hour):
 * <ol>
 * <li>take the reconciliation lease (its own name, the reporting lease's mechanism);</li>
 * <li>send again every correction an earlier run recorded as pending (same identifier);</li>
 * <li>sum Meterline's billable windows and the report ledger per customer, meter and hour; the reporter's own
 *     planner ({@link DeltaPlanner}) says which windows are not billable and which have a delta to send;</li>
 * <li>read Stripe's hourly event summaries, one paginated list per customer and meter;</li>
 * <li>classify ({@link WindowClassifier}); for each under-reported window record a correction as pending, then send
 *     it, then record the outcome. Over-reported windows are recorded with their evidence and alerted, never
 *     "fixed": see docs/decisions/0080.</li>
 * </ol>
 */
@ApplicationScoped
public class ReconciliationService {

    static final String LEASE = "stripe-reconciler";
    private static final Logger LOG = Logger.getLogger(ReconciliationService.class);
    private static final String INSTANCE = UUID.randomUUID().toString().substring(0, 8);

    /** What to reconcile. */
    public record Request(Instant from, Instant to, String customer, String meter, boolean dryRun) {
    }

    private final ReconciliationConfig config;
    private final Duration stripeWindow;
    private final StripeMeterGateway gateway;
    private final StripeMeterSummaries summaries;
    private final CountingHttpClient http;
    private final MeterService meters;
    private final ReportSourceRepository sources;
    private final ReportLedgerRepository ledger;
    private final StreamRequestJournal streamRequests;
    private final LeaseRepository lease;
    private final ReconciliationRepository repository;
    private final ReconciliationMetrics metrics;
    private final DeltaPlanner planner;

    public ReconciliationService(BillingConfig config, StripeMeterGateway gateway, StripeMeterSummaries summaries,
            CountingHttpClient http, MeterService meters, ReportSourceRepository sources, ReportLedgerRepository ledger,
            LeaseRepository lease, ReconciliationRepository repository, ReconciliationMetrics metrics,
            StreamRequestJournal streamRequests) {
        this.config = config.reconciliation();
        this.streamRequests = streamRequests;
        this.stripeWindow = config.reporting().stripeWindow();
        this.gateway = gateway;
        this.summaries = summaries;
        this.http = http;
        this.meters = meters;
        this.sources = sources;
        this.ledger = ledger;
        this.lease = lease;
        this.repository = repository;
        this.metrics = metrics;
        this.planner = new DeltaPlanner(stripeWindow);
    }

    /** Runs one reconciliation; {@link ErrorCode#RECONCILIATION_IN_PROGRESS} while another run holds the lease. */
    public ReconciliationRun run(Request request, String trigger) {
        String runId = "rec_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        try (LogContext ignored = LogContext.run(runId)) {
            return run(request, trigger, runId);
        }
    }

    private ReconciliationRun run(Request request, String trigger, String runId) {
        String owner = INSTANCE + "/" + runId;
        if (!lease.acquire(LEASE, owner, config.lease())) {
            throw new BillingException(ErrorCode.RECONCILIATION_IN_PROGRESS, "reconciliation run " + holder()
                    + " holds the reconciliation lease; try again when it has finished");
        }
        ReconciliationRun run = new ReconciliationRun();
        run.id = runId;
        run.trigger = trigger;
        run.status = "running";
        run.started = Instant.now();
        run.dryRun = request.dryRun() || !gateway.live();
        Instant earliest = Windows.hourStart(run.started.minus(stripeWindow)).plus(Duration.ofHours(1));
        run.from = Windows.hourStart(request.from().isBefore(earliest) ? earliest : request.from());
        run.to = Windows.hourStart(request.to().minusNanos(1)).plus(Duration.ofHours(1));
        run.customer = request.customer();
        run.meter = request.meter();
        long callsBefore = http.calls();
        try {
            repository.save(run);
            execute(run, owner);
            run.status = "completed";
        } catch (RuntimeException e) {
            run.status = "aborted";
            run.abortReason = e.toString();
            LOG.errorf(e, "reconciliation run %s aborted", runId);
        } finally {
            run.finished = Instant.now();
            run.stripeCalls = http.calls() - callsBefore;
            lease.release(LEASE, owner);
            repository.save(run);
            metrics.record(run);
        }
        LOG.infof("reconciliation run %s %s: dryRun=%s counts=%s corrected=%d calls=%d in %d ms", run.id, run.status,
                run.dryRun, run.counts, run.corrected, run.stripeCalls,
                Duration.between(run.started, run.finished).toMillis());
        return run;
    }

    public ReconciliationRun find(String id, int page, int size) {
        ReconciliationRun run = repository.find(id);
        if (run == null) {
            throw new BillingException(ErrorCode.RECONCILIATION_NOT_FOUND, "no reconciliation run " + id);
        }
        run.page = page;
        run.size = size;
        run.windows = repository.windowsOf(id, page, size);
        return run;
    }

    public List<ReconciliationRun> recent(int limit) {
        return repository.recent(limit);
    }

    private void execute(ReconciliationRun run, String owner) {
        long from = run.from.getEpochSecond();
        long to = run.to.getEpochSecond();
        List<Correction> corrections = repository.correctionsSince(from);
        if (!run.dryRun) {
            List<Correction> pending = corrections.stream().filter(c -> "pending".equals(c.status)).toList();
            run.pendingCorrectionsResent = pending.size();
            send(run, pending);
        }
        Map<String, Integer> delivered = new HashMap<>();
        java.util.Set<String> stillPending = new java.util.HashSet<>();
        for (Correction c : corrections) {
            String key = WindowGroup.key(c.customerId, c.meter, c.windowStart);
            if ("delivered".equals(c.status)) {
                delivered.merge(key, 1, Integer::sum);
            } else if ("pending".equals(c.status)) {
                stillPending.add(key);
            }
        }

        Map<String, WindowGroup> groups = group(run, from, to, stillPending);
        renew(owner);

        // one summary list per (customer, meter), over the whole range, in parallel
        Map<String, String> meterIds = Map.of();
        boolean stripeReadable = !groups.isEmpty();
        if (gateway.live() && !groups.isEmpty()) {
            try {
                meterIds = summaries.meterIdsByEventName();
            } catch (StripeCallException e) {
                stripeReadable = false;
                run.errors.add("meters could not be listed: " + e.getMessage());
            }
        } else {
            stripeReadable = false;
        }
        Map<String, List<WindowGroup>> byPair = new LinkedHashMap<>();
        for (WindowGroup g : groups.values()) {
            if (g.skipReason == null) {
                byPair.computeIfAbsent(g.customerId + "|" + g.meter, k -> new ArrayList<>()).add(g);
            }
        }
        Map<String, Map<Long, Double>> stripeByPair = stripeReadable
                ? readSummaries(run, byPair, meterIds, from, to) : Map.of();
        renew(owner);

        List<ReconciliationWindow> found = new ArrayList<>();
        List<ReconciliationWindow> latest = new ArrayList<>();
        List<Correction> toSend = new ArrayList<>();
        Instant now = Instant.now();
        for (Map.Entry<String, List<WindowGroup>> pair : byPair.entrySet()) {
            Map<Long, Double> stripe = stripeByPair.get(pair.getKey());
            java.util.Set<Long> compared = new java.util.HashSet<>();
            for (WindowGroup g : pair.getValue()) {
                compared.add(g.windowStart);
                Double atStripe = stripe == null ? null : stripe.getOrDefault(g.windowStart, 0.0);
                classify(run, g, atStripe, delivered, toSend, found, latest, now);
            }
            if (stripe != null) {
                // hours Stripe has usage for and Meterline has nothing: over-reported
                WindowGroup first = pair.getValue().get(0);
                stripe.forEach((hour, value) -> {
                    if (!compared.contains(hour) && value != 0) {
                        WindowGroup empty = new WindowGroup(first.customerId, first.meter, first.eventName, hour, first.gauge);
                        classify(run, empty, value, delivered, toSend, found, latest, now);
                    }
                });
            }
        }
        for (WindowGroup g : groups.values()) {
            if (g.skipReason != null) {
                classify(run, g, null, delivered, toSend, found, latest, now);
            }
        }
        if (!run.dryRun) {
            renew(owner);
            // recorded first: a crash from here on leaves pending corrections the next run sends with their identifier
            repository.saveCorrections(toSend);
            send(run, toSend);
            Map<String, Correction> byId = new HashMap<>();
            toSend.forEach(c -> byId.put(c.id, c));
            for (ReconciliationWindow w : java.util.stream.Stream.concat(found.stream(), latest.stream()).toList()) {
                Correction c = w.correctionIdentifier == null ? null : byId.get(w.correctionIdentifier);
                if (c != null) {
                    w.correctionStatus = c.status;
                }
            }
        }
        repository.saveWindows(found, latest);
    }

    /** Meterline's side, per (customer, meter, hour), of every ungrouped window in the range. */
    private Map<String, WindowGroup> group(ReconciliationRun run, long from, long to, java.util.Set<String> pendingCorrections) {
        Map<String, MeterDefinition> meterByKey = new HashMap<>();
        for (MeterDefinition meter : meters.all()) {
            meterByKey.put(meter.key(), meter);
        }
        CustomerDirectory directory = sources.directory();
        // v2 deltas the journal holds and the ledger does not yet (0142, 0143) come back as pending or accepted
        Map<String, LedgerEntry> entries = streamRequests.upToDate(() -> ledger.loadSince(from));
        Map<String, WindowGroup> groups = new LinkedHashMap<>();
        Instant now = Instant.now();
        sources.forEachWindowSince(from, (window, version) -> {
            if (window.windowStart() >= to || (run.meter != null && !run.meter.equals(window.meter()))) {
                return;
            }
            MeterDefinition meter = meterByKey.get(window.meter());
            CustomerDocument customer = directory.customerFor(window.subject(), window.organization());
            String customerId = customer == null ? null : customer.id;
            if (run.customer != null && !run.customer.equals(window.subject()) && !run.customer.equals(customerId)) {
                return;
            }
            LedgerEntry entry = entries.get(window.ledgerId());
            DeltaPlanner.Plan plan = planner.plan(window, meter, entry, directory, now);
            String skip = plan instanceof DeltaPlanner.Skip s && s.reason() != SkipReason.COUNTED
                    && s.reason() != SkipReason.TOTAL_DECREASED ? s.reason().code() : null;
            String groupCustomer = customerId == null ? "-" : customerId;
            String key = WindowGroup.key(groupCustomer, window.meter(), window.windowStart())
                    + (skip == null ? "" : "|" + skip + "|" + window.subject());
            WindowGroup g = groups.computeIfAbsent(key, k -> new WindowGroup(groupCustomer, window.meter(),
                    meter == null ? null : meter.stripeEventName(), window.windowStart(),
                    meter != null && meter.aggregation() == Aggregation.LAST));
            g.subjects.add(window.subject());
            g.skipReason = skip;
            long billable = (long) Math.floor(window.value());
            g.billable = g.gauge ? Math.max(g.billable, billable) : g.billable + billable;
            long reported = entry == null ? 0 : entry.reported;
            g.reported = g.gauge ? Math.max(g.reported, reported) : g.reported + reported;
            // a delta a v2 stream accepted may not be in Stripe's summaries yet: in flight, like a pending one
            g.pending |= (entry != null && (entry.pending != null || !entry.accepted.isEmpty()))
                    || plan instanceof DeltaPlanner.Send || pendingCorrections.contains(g.key());
            if (entry != null && entry.lastIdentifier != null) {
                g.lastIdentifier = entry.lastIdentifier;
            }
        });
        return groups;
    }

    private Map<String, Map<Long, Double>> readSummaries(ReconciliationRun run, Map<String, List<WindowGroup>> byPair,
            Map<String, String> meterIds, long from, long to) {
        Map<String, Future<Map<Long, Double>>> futures = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, config.concurrency()), r -> {
            Thread t = new Thread(r, "stripe-reconcile");
            t.setDaemon(true);
            return t;
        });
        Map<String, Map<Long, Double>> result = new HashMap<>();
        try {
            for (Map.Entry<String, List<WindowGroup>> pair : byPair.entrySet()) {
                WindowGroup first = pair.getValue().get(0);
                String meterId = first.eventName == null ? null : meterIds.get(first.eventName);
                if (meterId == null) {
                    addError(run, "no Stripe meter has event_name " + first.eventName + " (meter " + first.meter + ")");
                    continue;
                }
                run.summaryLists++;
                futures.put(pair.getKey(), pool.submit(LogContext.propagate(() -> {
                    try (LogContext ignored = LogContext.customer(first.customerId)) {
                        return summaries.hourly(meterId, first.customerId, from, to);
                    }
                })));
            }
            for (Map.Entry<String, Future<Map<Long, Double>>> f : futures.entrySet()) {
                try {
                    result.put(f.getKey(), f.getValue().get());
                } catch (ExecutionException e) {
                    addError(run, "event summaries for " + f.getKey() + ": " + e.getCause().getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while reading event summaries", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return result;
    }

    private void classify(ReconciliationRun run, WindowGroup g, Double atStripe, Map<String, Integer> delivered,
            List<Correction> toSend, List<ReconciliationWindow> found, List<ReconciliationWindow> latest, Instant now) {
        WindowClassifier.Verdict verdict = WindowClassifier.classify(g, atStripe);
        WindowClass windowClass = verdict.windowClass();
        run.count(windowClass);
        ReconciliationRun.Drift drift = run.drift(g.meter);
        long difference = atStripe == null ? 0 : Math.round(atStripe) - g.reported;
        switch (windowClass) {
            case UNDER_REPORTED -> drift.under += -difference;
            case OVER_REPORTED -> {
                drift.over += difference;
                drift.overWindows++;
            }
            case STRIPE_UNKNOWN -> drift.unknownWindows++;
            default -> {
            }
        }
        ReconciliationWindow w = new ReconciliationWindow();
        w.runId = run.id;
        w.customerId = g.customerId;
        w.subjects = List.copyOf(g.subjects);
        w.meter = g.meter;
        w.windowStart = Instant.ofEpochSecond(g.windowStart);
        w.windowClass = windowClass.code();
        w.meterline = g.billable;
        w.ledger = g.reported;
        w.stripe = atStripe;
        w.difference = atStripe == null ? null : difference;
        w.skipReason = g.skipReason;
        w.lastIdentifier = g.lastIdentifier;
        w.checkedAt = now;
        if (windowClass == WindowClass.UNDER_REPORTED) {
            Correction c = correction(run, g, Math.round(atStripe), verdict.missing(),
                    delivered.getOrDefault(g.key(), 0), now);
            w.correctionIdentifier = c.id;
            w.correctionStatus = run.dryRun ? "dry_run" : "pending";
            if (!run.dryRun) {
                toSend.add(c);
            }
        } else if (windowClass == WindowClass.OVER_REPORTED) {
            try (LogContext ignored = LogContext.customer(g.customerId)) {
                LOG.warnf("over-reported: customer %s meter %s hour %s: Stripe has %s, the ledger sent %d (last identifier %s);"
                        + " not corrected", g.customerId, g.meter, w.windowStart, atStripe, g.reported, g.lastIdentifier);
            }
        }
        if (windowClass != WindowClass.MATCH) {
            run.differing++;
            w.id = run.id + "|" + WindowGroup.key(g.customerId, g.meter, g.windowStart)
                    + (g.skipReason == null ? "" : "|" + String.join(",", g.subjects));
            found.add(w);
        }
        // the latest verdict per subject window, for /v1/usage/explain (all classes, matches included)
        for (String subject : g.subjects) {
            ReconciliationWindow forSubject = copy(w);
            forSubject.id = ReconciliationRepository.latestId(g.meter, subject, g.windowStart);
            latest.add(forSubject);
        }
    }

    private static ReconciliationWindow copy(ReconciliationWindow w) {
        ReconciliationWindow c = new ReconciliationWindow();
        c.runId = w.runId;
        c.customerId = w.customerId;
        c.subjects = w.subjects;
        c.meter = w.meter;
        c.windowStart = w.windowStart;
        c.windowClass = w.windowClass;
        c.meterline = w.meterline;
        c.ledger = w.ledger;
        c.stripe = w.stripe;
        c.difference = w.difference;
        c.skipReason = w.skipReason;
        c.lastIdentifier = w.lastIdentifier;
        c.correctionIdentifier = w.correctionIdentifier;
        c.correctionStatus = w.correctionStatus;
        c.checkedAt = w.checkedAt;
        return c;
    }

    private Correction correction(ReconciliationRun run, WindowGroup g, long atStripe, long amount, int deliveredBefore,
            Instant now) {
        Correction c = new Correction();
        c.id = CorrectionIdentifier.of(g.customerId, g.meter, g.windowStart, g.reported, atStripe, deliveredBefore);
        c.runId = run.id;
        c.customerId = g.customerId;
        c.meter = g.meter;
        c.eventName = g.eventName;
        c.windowStart = g.windowStart;
        c.amount = amount;
        // a gauge's value must be Stripe's "last" in the window: the window's last second (never in the future)
        c.timestamp = g.gauge ? Math.min(g.windowStart + 3599, now.getEpochSecond()) : g.windowStart;
        c.ledger = g.reported;
        c.stripeBefore = atStripe;
        c.status = "pending";
        c.created = now;
        c.updated = now;
        return c;
    }

    /** Sends corrections one by one and records each outcome; a retryable failure stays pending for the next run. */
    private void send(ReconciliationRun run, List<Correction> corrections) {
        for (Correction c : corrections) {
            try {
                gateway.send(new StripeMeterGateway.MeterEvent(c.eventName, c.customerId, c.amount, c.id, c.timestamp));
                c.status = "delivered";
                c.lastError = null;
                run.corrected++;
                run.correctionUnits += c.amount;
            } catch (StripeCallException e) {
                c.lastError = e.getMessage();
                if (!e.retryable()) {
                    c.status = "failed";
                }
                run.correctionsFailed++;
                addError(run, "correction " + c.id + ": " + e.getMessage());
            }
            c.updated = Instant.now();
        }
        repository.saveCorrections(corrections);
    }

    private void addError(ReconciliationRun run, String message) {
        if (run.errors.size() < 100) {
            run.errors.add(message);
        }
    }

    private String holder() {
        LeaseRepository.Lease live = lease.live(LEASE);
        return live == null ? "(none)" : live.owner();
    }

    private void renew(String owner) {
        if (!lease.renew(LEASE, owner, config.lease())) {
            throw new IllegalStateException("the reconciliation lease was lost");
        }
    }
}
