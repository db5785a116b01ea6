package io.meterline.billing.reporting;

import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.config.MeterEventStreamConfig;
import io.meterline.billing.config.ReportingConfig;
import io.meterline.billing.config.StripeConfig;
import io.meterline.billing.lease.LeaseRepository;
import io.meterline.billing.meter.MeterCheckService;
import io.meterline.billing.meter.MeterRepository;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.billing.stripe.StripeCallException;
import io.meterline.billing.stripe.StripeMeterGateway;
import io.meterline.billing.stripe.StripeMeterStream;
import io.meterline.billing.usage.WindowChangeRepository;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import io.meterline.billing.logging.LogContext;
import java.util.concurrent.Future;

/**
 * Reports hourly window totals to Stripe Billing Meters, exactly once:
 * <ol>
 * <li>take the lease (one reporter across replicas);</li>
 * <li>send again every delta an earlier run left in flight, as it was recorded (same identifier, same amount);</li>
 * <li>plan each window ({@link DeltaPlanner}): the delta between its whole-number total and what the ledger says
 *     Stripe has, or a skip reason;</li>
 * <li>per batch: record the deltas as pending in the ledger, send them concurrently (rate-limited, retried),
 *     then record the outcomes. A crash anywhere leaves either nothing sent or a pending delta that the next run
 *     re-sends with the same identifier, which Stripe deduplicates.</li>
 * </ol>
 * Without a Stripe key the run is a dry-run: it plans and counts, and neither sends nor writes the ledger.
 */
@ApplicationScoped
public class ReportingService {

    private static final Logger LOG = Logger.getLogger(ReportingService.class);
    private static final String INSTANCE = UUID.randomUUID().toString().substring(0, 8);

    private final ReportingConfig config;
    private final StripeMeterGateway stripe;
    private final MeterRepository meters;
    private final ReportSourceRepository sources;
    private final ReportLedgerRepository ledger;
    private final ReportLeaseRepository lease;
    private final ReportRunRepository runs;
    private final ReportMetrics metrics;
    private final DeltaPlanner planner;
    private final MeterCheckService meterChecks;
    private final CustomerSyncCheck customerSync;
    private final WindowChangeRepository changes;
    private final ExecutorService calls;
    private final StripeMeterStream stream;
    private final MeterErrorReports errorReports;
    private final boolean streaming;
    private final MeterEventStreamConfig streamConfig;
    private final StreamRequestJournal journal;
    private volatile ReportRun lastRun;
    private volatile ActiveRun activeRun;

    public ReportingService(BillingConfig config, StripeMeterGateway stripe, MeterRepository meters,
            ReportSourceRepository sources, ReportLedgerRepository ledger, ReportLeaseRepository lease,
            ReportRunRepository runs, ReportMetrics metrics, @StripeCalls ExecutorService calls,
            MeterCheckService meterChecks, CustomerSyncCheck customerSync, WindowChangeRepository changes,
            StripeMeterStream stream, MeterErrorReports errorReports, StreamRequestJournal journal) {
        this.config = config.reporting();
        this.journal = journal;
        this.stream = stream;
        this.errorReports = errorReports;
        this.streaming = config.stripe().meterEvents() == StripeConfig.MeterEventsTransport.v2;
        this.streamConfig = config.stripe().meterEventStream();
        this.stripe = stripe;
        this.meters = meters;
        this.sources = sources;
        this.ledger = ledger;
        this.lease = lease;
        this.runs = runs;
        this.metrics = metrics;
        this.meterChecks = meterChecks;
        this.customerSync = customerSync;
        this.changes = changes;
        this.planner = new DeltaPlanner(this.config.stripeWindow(), SubscriptionPolicy.of(this.config.subscriptionStatus()));
        this.calls = calls;
    }

    public boolean dryRun() {
        return !stripe.live();
    }

    public String apiBase() {
        return stripe.apiBase();
    }

    /** The live reporting lease, or null. */
    public LeaseRepository.Lease currentLease() {
        return lease.current();
    }

    public ReportRun lastRun() {
        return lastRun;
    }

    /** What asking for a run gives: the run (whatever its outcome), or the holder of the lease when busy. */
    public sealed interface Attempt permits Ran, Busy {
    }

    public record Ran(ReportRun run) implements Attempt {
    }

    /** Another run holds the reporting lease; it reports for everyone. */
    public record Busy(String leaseHolder, String detail) implements Attempt {
    }

    /** Outcome of one meter event call, as the batch loop sorts it. */
    private sealed interface Delivery permits Delivered, Failed {
    }

    private record Delivered(StripeMeterGateway.Outcome outcome) implements Delivery {
    }

    private record Failed(StripeCallException error, String message) implements Delivery {
    }

    /** Which windows a run reads. */
    public enum Scope {
        /** Only windows marked as changed since a run last settled them (the usual run; see WindowChangeDocument). */
        CHANGED,
        /** Every window of the last 36 days: the first run before the marks are complete, or asked for by an admin. */
        FULL;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Runs one report of the changed windows, or answers {@link Busy} when another run holds the lease. */
    public Attempt run(String trigger) {
        return run(trigger, Scope.CHANGED);
    }

    /** Runs one report, or answers {@link Busy} when another run holds the lease. */
    public Attempt run(String trigger, Scope scope) {
        String runId = "rr_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        try (LogContext ignored = LogContext.run(runId)) {
            return run(trigger, scope, runId);
        }
    }

    private Attempt run(String trigger, Scope scope, String runId) {
        String owner = INSTANCE + "/" + runId;
        if (!lease.acquire(owner, config.lease())) {
            return new Busy(lease.holder(), inProgress(lease.current()));
        }
        ReportRun run = new ReportRun();
        run.id = runId;
        run.owner = owner;
        run.trigger = trigger;
        run.status = "running";
        run.started = Instant.now();
        run.dryRun = dryRun();
        run.transport = streaming ? "v2" : "v1";
        run.stripeApiBase = run.dryRun ? null : stripe.apiBase();
        long callsBefore = stripe.calls();
        ActiveRun active = new ActiveRun(owner);
        activeRun = active;
        try {
            // we hold the lease, so any other run still marked running has lost its instance
            abortOrphans(owner, run.started);
            runs.save(run);
            execute(run, active, scope);
            run.status = "completed";
        } catch (LeaseLostException e) {
            run.status = "aborted";
            run.abortReason = ReportRun.LEASE_LOST;
            run.abortDetail = e.getMessage();
            ReportRun stored = runs.find(run.id);
            if (stored != null && ReportRun.LEASE_BROKEN.equals(stored.abortReason)) {
                run.abortReason = stored.abortReason;
                run.abortDetail = stored.abortDetail;
                run.brokenBy = stored.brokenBy;
            }
        } catch (RuntimeException e) {
            run.status = "aborted";
            run.abortReason = ReportRun.ERROR;
            run.abortDetail = e.toString();
            LOG.errorf(e, "report run %s aborted", runId);
        } finally {
            activeRun = null;
            run.finished = Instant.now();
            run.stripeCalls = stripe.calls() - callsBefore;
            lease.release(owner);
            runs.save(run);
            metrics.record(run);
            lastRun = run;
        }
        LOG.infof("report run %s %s: dryRun=%s total=%d reported=%d skipped=%s failed=%d calls=%d in %d ms%s", run.id,
                run.status, run.dryRun, run.total, run.reported, run.skipped, run.failed, run.stripeCalls,
                Duration.between(run.started, run.finished).toMillis(), streaming ? " (v2 stream: accepted=" + run.accepted
                        + " confirmed=" + run.confirmed + " refusedLater=" + run.refusedLater + ")" : "");
        return new Ran(run);
    }

    private static String inProgress(LeaseRepository.Lease held) {
        if (held == null) {
            return "another report run held the reporting lease a moment ago; try again";
        }
        Instant now = Instant.now();
        String renewed = held.renewedAt() == null ? "never renewed"
                : "last renewed " + Duration.between(held.renewedAt(), now).toSeconds() + " s ago (" + held.renewedAt() + ")";
        return "report run " + held.owner() + " holds the reporting lease, " + renewed + ", expiring at " + held.expiresAt()
                + "; try again when it has finished. A holder that stopped renewing is dead: its lease expires by itself, "
                + "or DELETE /admin/report-lease?holder=" + held.owner() + " breaks it";
    }

    /** Renews the lease of the run working on this instance, if any; a run whose renewal fails stops at its next batch. */
    void renewActiveLease() {
        ActiveRun active = activeRun;
        if (active != null && !active.lost && !lease.renew(active.owner, config.lease())) {
            active.lost = true;
            LOG.warnf("report run %s lost its lease (expired, broken or taken over): it stops before its next batch",
                    active.owner);
        }
    }

    /** Aborts runs left {@code running} by an instance that is gone (at start-up, then periodically). */
    void abortOrphanedRuns() {
        Instant now = Instant.now();
        LeaseRepository.Lease held = lease.current();
        abortOrphans(held == null ? null : held.owner(), now);
    }

    private void abortOrphans(String liveOwner, Instant startedBefore) {
        long aborted = runs.abortOrphans(liveOwner, startedBefore,
                "its instance stopped renewing the reporting lease (crashed or killed) while the run was working");
        if (aborted > 0) {
            LOG.warnf("%d report run(s) left running by an instance that is gone were marked aborted (owner_lost)", aborted);
            metrics.orphansAborted(aborted);
        }
    }

    /**
     * Breaks the reporting lease held by {@code holder} (an operator who knows that instance is dead), marks its run
     * aborted ({@code lease_broken}) and records the break in the run history. A holder that was in fact alive
     * stops at its next batch: its renewal fails.
     */
    public ReportRun breakLease(String holder, String by) {
        LeaseRepository.Lease held = lease.current();
        if (held == null || !holder.equals(held.owner())) {
            throw new BillingException(ErrorCode.REPORT_LEASE_NOT_HELD, "the reporting lease is not held by " + holder
                    + (held == null ? ": nobody holds it" : ": " + held.owner() + " holds it"));
        }
        String runId = holder.substring(holder.indexOf('/') + 1);
        String detail = "lease broken by " + by + "; the holder last renewed it at " + held.renewedAt();
        // the run first, so the orphan sweep cannot take it for owner_lost in between
        boolean runAborted = runs.abortBroken(runId, by, detail);
        if (lease.breakLease(holder) == null) {
            LOG.infof("reporting lease of %s expired or was released while being broken", holder);
        }
        ReportRun audit = new ReportRun();
        audit.id = "rl_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        audit.trigger = "admin";
        audit.status = "lease_broken";
        audit.owner = holder;
        audit.started = Instant.now();
        audit.finished = audit.started;
        audit.brokenBy = by;
        audit.abortReason = ReportRun.LEASE_BROKEN;
        audit.abortDetail = detail + (runAborted ? "; run " + runId + " marked aborted" : "; run " + runId + " was not running");
        runs.save(audit);
        LOG.warnf("reporting lease of %s broken by %s", holder, by);
        return audit;
    }

    public ReportRun find(String id) {
        ReportRun run = runs.find(id);
        if (run == null) {
            throw new BillingException(ErrorCode.REPORT_RUN_NOT_FOUND, "no report run " + id);
        }
        return run;
    }

    public List<ReportRun> recent(int limit) {
        return runs.recent(limit);
    }

    private void execute(ReportRun run, ActiveRun active, Scope asked) {
        Instant now = Instant.now();
        // one day beyond Stripe's window, so windows that just fell out of it are counted as outside_stripe_window
        long horizon = now.minus(config.stripeWindow()).minus(Duration.ofDays(1)).getEpochSecond();
        Map<String, MeterDefinition> meterByKey = new HashMap<>();
        for (MeterDefinition meter : meters.findAllMeters()) {
            meterByKey.put(meter.key(), meter);
        }
        // meters whose Stripe meter would not bill what is sent are skipped (checked afresh for every run)
        Set<String> mismatched = new HashSet<>();
        meterChecks.checkAll(meterByKey.values()).forEach((key, check) -> {
            if (check.mismatched()) {
                mismatched.add(key);
            }
        });
        CustomerDirectory directory = sources.directory();
        // the marks are read first: a window written after this point keeps its mark for the next run
        WindowChangeRepository.Marks marks = changes.all();
        Map<String, Long> marked = marks.versions();
        Scope scope = asked == Scope.FULL || !changes.complete() ? Scope.FULL : Scope.CHANGED;
        run.scope = scope.code();
        run.changedWindows = marked.size();
        Map<String, LedgerEntry> entries = scope == Scope.FULL ? ledger.loadSince(horizon) : ledger.load(marked.keySet());
        // windows this run settles (nothing left to do unless they change again), and the versions it read of marked ones
        Set<String> settled = new HashSet<>();
        Map<String, Long> versions = new HashMap<>();
        // the windows a run of changed windows reads: the marked ones, and those whose accepted delta Stripe refused
        Set<String> examined = new HashSet<>(marked.keySet());
        // v2 stream requests recorded by earlier runs (decision 0142): their entries are loaded whether marked or not
        List<StreamRequest> recorded = run.dryRun ? List.of() : journal.all();
        Set<String> journaled = Set.of();
        if (!run.dryRun) {
            Set<String> missing = new HashSet<>();
            recorded.forEach(request -> request.deltas.forEach(d -> {
                if (!entries.containsKey(d.entry())) {
                    missing.add(d.entry());
                }
            }));
            entries.putAll(ledger.load(missing));
            journaled = StreamRequestJournal.apply(recorded, entries);
            examined.addAll(resolveAccepted(run, entries.values(), meterByKey, now, recorded));
        }

        // deltas an earlier run recorded as pending: send them first, exactly as recorded
        Map<String, Boolean> resent = new HashMap<>();
        if (!run.dryRun) {
            List<LedgerEntry> pending = entries.values().stream().filter(e -> e.pending != null).toList();
            run.pendingResent = pending.size();
            deliver(run, pending, active, false, resent, null, journaled);
        }

        List<LedgerEntry> toSend = new ArrayList<>();
        CustomerSyncCheck.Tally noCustomer = new CustomerSyncCheck.Tally();
        Set<String> seen = new HashSet<>();
        ReportSourceRepository.WindowSink examine = (window, version) -> {
            String id = window.ledgerId();
            if (marked.containsKey(id)) {
                // only a marked window's mark can be settled; a full run need not hold every window's version
                versions.put(id, version);
            }
            seen.add(id);
            run.total++;
            Boolean earlier = resent.get(id);
            if (Boolean.FALSE.equals(earlier)) {
                run.failed++;
                return;
            }
            if (mismatched.contains(window.meter()) && !Boolean.TRUE.equals(earlier)) {
                run.skip(SkipReason.STRIPE_METER_MISMATCH);
                return;
            }
            LedgerEntry entry = entries.get(id);
            DeltaPlanner.Plan plan = planner.plan(window, meterByKey.get(window.meter()), entry, directory, now);
            if (plan instanceof DeltaPlanner.Skip skip) {
                // a window with deltas awaiting Stripe's validation stays marked, so a later run confirms or re-plans them
                // (v2: an accepted delta's request is journaled, which brings its entry back without the mark)
                if (skip.reason().settles()) {
                    settled.add(id);
                }
                if (Boolean.TRUE.equals(earlier)) {
                    run.reported++;
                } else {
                    run.skip(skip.reason());
                    if (skip.reason() == SkipReason.NO_STRIPE_CUSTOMER) {
                        noCustomer.add(window.subject(), window.organization());
                    }
                    if (skip.reason() == SkipReason.VALUE_OUT_OF_RANGE) {
                        try (LogContext ignored = LogContext.customer(window.subject())) {
                            LOG.warnf("window %s has total %s, which has no exact whole number to report: not sent "
                                + "(metric meterline.report.windows.skipped{reason=value_out_of_range})", id, window.value());
                        }
                    }
                }
                return;
            }
            LedgerEntry.Pending pending = ((DeltaPlanner.Send) plan).pending();
            if (run.dryRun) {
                run.reported++;
                run.reportedValue += pending.amount();
                return;
            }
            LedgerEntry target = entry == null ? LedgerEntry.empty(window) : entry;
            target.pending = pending;
            toSend.add(target);
        };
        if (scope == Scope.FULL) {
            sources.forEachWindowSince(horizon, examine);
        } else {
            sources.forEachWindow(examined, examine);
        }
        customerSync.reclassify(run, noCustomer);
        // windows whose pending delta was re-sent but which are no longer in the scan
        resent.forEach((id, delivered) -> {
            if (!seen.contains(id)) {
                run.total++;
                if (delivered) {
                    run.reported++;
                } else {
                    run.failed++;
                }
            }
        });
        if (!run.dryRun) {
            deliver(run, toSend, active, true, null, settled, Set.of());
            // a mark goes once its window is settled at a version at least the marked one; the others stay
            run.documentsWritten += changes.settle(marks, (id, mark) -> settled.contains(id)
                    && versions.getOrDefault(id, Long.MIN_VALUE) >= mark);
            // requests of earlier runs whose deltas are all confirmed, refused or dropped now
            run.documentsWritten += journal.removeResolved(recorded, entries);
            if (scope == Scope.FULL) {
                changes.completed(java.util.Date.from(run.started));
            }
        }
    }

    /**
     * Sends deltas in batches: pending written first (when {@code recordPending}), then concurrent calls, then
     * outcomes. For re-sent deltas ({@code resent} not null) outcomes go to that map instead of the counts.
     */
    private void deliver(ReportRun run, List<LedgerEntry> entries, ActiveRun active, boolean recordPending,
            Map<String, Boolean> resent, Set<String> settled, Set<String> journaled) {
        if (entries.isEmpty()) {
            return;
        }
        for (int from = 0; from < entries.size(); from += config.batchSize()) {
            if (active.lost || !lease.renew(active.owner, config.lease())) {
                active.lost = true;
                throw new LeaseLostException("the reporting lease was lost before batch " + from / config.batchSize());
            }
            List<LedgerEntry> batch = entries.subList(from, Math.min(entries.size(), from + config.batchSize()));
            if (streaming) {
                stream(run, batch, resent, settled, journaled);
                continue;
            }
            if (recordPending) {
                ledger.saveAll(batch);
                run.documentsWritten += batch.size();
            }
            List<Future<Delivery>> outcomes = new ArrayList<>(batch.size());
            for (LedgerEntry entry : batch) {
                StripeMeterGateway.MeterEvent event = meterEvent(entry.pending);
                String subject = entry.subject;
                outcomes.add(calls.submit(LogContext.propagate(() -> {
                    try (LogContext ignored = LogContext.customer(subject)) {
                        return send(event);
                    }
                })));
            }
            for (int i = 0; i < batch.size(); i++) {
                LedgerEntry entry = batch.get(i);
                Delivery outcome = await(outcomes.get(i));
                long amount = entry.pending.amount();
                if (outcome instanceof Delivered delivered) {
                    if (delivered.outcome() == StripeMeterGateway.Outcome.DUPLICATE) {
                        run.duplicates++;
                    }
                    entry.delivered();
                    if (settled != null) {
                        settled.add(entry.id);
                    }
                }
                count(run, entry, outcome, amount, resent);
            }
            ledger.saveAll(batch);
            run.documentsWritten += batch.size();
        }
    }

    private static StripeMeterGateway.MeterEvent meterEvent(LedgerEntry.Pending p) {
        return new StripeMeterGateway.MeterEvent(p.eventName(), p.customerId(), p.amount(), p.identifier(), p.timestamp());
    }

    /**
     * The run's counts for one delta, either transport: reported (or failed) in a first send; in a re-send of
     * {@code resent}'s deltas only whether it got through. {@code amount}: the delta's, read before its state changed.
     */
    private void count(ReportRun run, LedgerEntry entry, Delivery outcome, long amount, Map<String, Boolean> resent) {
        if (outcome instanceof Failed failed) {
            recordFailure(run, entry, failed.error(), failed.message());
        }
        if (resent != null) {
            resent.put(entry.id, outcome instanceof Delivered);
        } else if (outcome instanceof Delivered) {
            run.reported++;
            run.reportedValue += amount;
        } else if (outcome instanceof Failed) {
            run.failed++;
        }
    }

    /**
     * The v2 transport (decisions 0142, 0143): the batch's requests of up to 100 events are journaled (one document
     * per request, instead of a pending write per delta), sent concurrently, and then each accepted request's document
     * records {@code acceptedAt}: its deltas are {@code accepted} (counted, awaiting Stripe's validation) in the
     * journal, and the ledger learns of them in a later run, which confirms or re-plans them. Deltas whose entries got
     * their pending delta from the journal ({@code journaled}) are not journaled again.
     */
    private void stream(ReportRun run, List<LedgerEntry> batch, Map<String, Boolean> resent, Set<String> settled,
            Set<String> journaled) {
        int size = Math.max(1, Math.min(StripeMeterStream.MAX_EVENTS, streamConfig.batchSize()));
        List<List<LedgerEntry>> requests = new ArrayList<>();
        List<StreamRequest> records = new ArrayList<>();
        for (int from = 0; from < batch.size(); from += size) {
            List<LedgerEntry> request = batch.subList(from, Math.min(batch.size(), from + size));
            requests.add(request);
            List<LedgerEntry> fresh = request.stream().filter(e -> !journaled.contains(e.id)).toList();
            records.add(fresh.isEmpty() ? null : StreamRequest.of(fresh));
        }
        List<StreamRequest> journaling = records.stream().filter(java.util.Objects::nonNull).toList();
        journal.record(journaling);
        run.documentsWritten += journaling.size();
        halt("journal-written");
        List<Future<Delivery>> outcomes = new ArrayList<>();
        for (List<LedgerEntry> request : requests) {
            List<StripeMeterGateway.MeterEvent> events = new ArrayList<>(request.size());
            for (LedgerEntry entry : request) {
                events.add(meterEvent(entry.pending));
            }
            outcomes.add(calls.submit(LogContext.propagate(() -> sendStream(events))));
        }
        List<Delivery> delivered = new ArrayList<>(requests.size());
        for (Future<Delivery> outcome : outcomes) {
            delivered.add(await(outcome));
        }
        halt("stream-answered");
        // an accepted request's deltas are recorded by its journal document (acceptedAt), not by a ledger write each
        // (decision 0143); the ledger is written only for what the journal does not answer for: deltas of failed
        // requests (still pending, or dropped after a permanent refusal) and re-sent deltas of earlier runs' requests
        List<String> acceptedRequests = new ArrayList<>();
        List<String> refusedWhole = new ArrayList<>();
        List<LedgerEntry> toLedger = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < requests.size(); i++) {
            Delivery outcome = delivered.get(i);
            StreamRequest record = records.get(i);
            if (outcome instanceof Delivered && record != null) {
                acceptedRequests.add(record.id);
            }
            for (LedgerEntry entry : requests.get(i)) {
                long amount = entry.pending.amount();
                if (outcome instanceof Delivered) {
                    entry.accepted(now);
                    run.accepted++;
                    if (settled != null) {
                        settled.add(entry.id);
                    }
                }
                count(run, entry, outcome, amount, resent);
                if (outcome instanceof Failed || journaled.contains(entry.id)) {
                    toLedger.add(entry);
                }
            }
            if (outcome instanceof Failed failed && failed.error() != null && !failed.error().retryable() && record != null) {
                refusedWhole.add(record.id);
            }
        }
        journal.accepted(acceptedRequests, now);
        halt("requests-accepted");
        ledger.saveAll(toLedger);
        halt("ledger-written");
        // a request Stripe refused as a whole left its deltas dropped (planned afresh next run, as with v1)
        journal.remove(refusedWhole);
        run.documentsWritten += acceptedRequests.size() + toLedger.size() + refusedWhole.size();
    }

    /** Fault injection for crash tests only ({@code billing.stripe.meter-event-stream.halt-after}): kill -9 here. */
    private void halt(String step) {
        if (streamConfig.haltAfter().filter(step::equals).isPresent()) {
            LOG.warnf("billing.stripe.meter-event-stream.halt-after=%s: halting now (crash test)", step);
            Runtime.getRuntime().halt(137);
        }
    }

    private Delivery sendStream(List<StripeMeterGateway.MeterEvent> events) {
        try {
            stream.send(events);
            return new Delivered(StripeMeterGateway.Outcome.ACCEPTED);
        } catch (StripeCallException e) {
            return new Failed(e, e.getMessage());
        } catch (RuntimeException e) {
            return new Failed(null, e.toString());
        }
    }

    /**
     * Deltas a v2 stream accepted earlier: those an error report names go back to planning (their amount leaves
     * {@code reported}); those past the error window without one are confirmed as delivered.
     */
    private Set<String> resolveAccepted(ReportRun run, java.util.Collection<LedgerEntry> entries,
            Map<String, MeterDefinition> meterByKey, Instant now, List<StreamRequest> recorded) {
        List<LedgerEntry> waiting = entries.stream().filter(e -> !e.accepted.isEmpty()).toList();
        Set<String> refusedEntries = new HashSet<>();
        if (waiting.isEmpty()) {
            return refusedEntries;
        }
        Set<String> identifiers = new HashSet<>();
        long oldest = Long.MAX_VALUE;
        for (LedgerEntry entry : waiting) {
            for (LedgerEntry.Accepted delta : entry.accepted) {
                identifiers.add(delta.identifier());
                oldest = Math.min(oldest, delta.acceptedAt());
            }
        }
        // a report cannot come before the delta it names was sent; a minute of slack for clocks
        Map<String, String> refused = errorReports.refused(identifiers, oldest - 60_000);
        long confirmBefore = now.minus(streamConfig.errorWindow()).toEpochMilli();
        List<LedgerEntry> changed = new ArrayList<>();
        for (LedgerEntry entry : waiting) {
            MeterDefinition meter = meterByKey.get(entry.meter);
            boolean gauge = meter != null && meter.aggregation() == Aggregation.LAST;
            boolean touched = false;
            for (LedgerEntry.Accepted delta : List.copyOf(entry.accepted)) {
                String error = refused.get(delta.identifier());
                if (error != null) {
                    entry.refused(delta, gauge, error);
                    run.refusedLater++;
                    refusedEntries.add(entry.id);
                    touched = true;
                    LOG.warnf("delta %s of window %s was refused by Stripe after the stream accepted it: re-planned (%s)",
                            delta.identifier(), entry.id, error);
                } else if (delta.acceptedAt() <= confirmBefore) {
                    entry.confirmed(delta);
                    run.confirmed++;
                    touched = true;
                }
            }
            if (touched) {
                changed.add(entry);
            }
        }
        ledger.saveAll(changed);
        run.documentsWritten += changed.size();
        // deltas accepted before the journal existed: journaled now, so their windows need no mark to be seen again
        Set<String> covered = new HashSet<>();
        recorded.forEach(request -> request.deltas.forEach(d -> covered.add(d.pending().identifier())));
        List<StreamRequest> adopted = new ArrayList<>();
        for (LedgerEntry entry : waiting) {
            if (entry.accepted.stream().anyMatch(a -> !covered.contains(a.identifier()))) {
                adopted.add(StreamRequest.adopting(entry));
            }
        }
        journal.record(adopted);
        run.documentsWritten += adopted.size();
        return refusedEntries;
    }

    private Delivery send(StripeMeterGateway.MeterEvent event) {
        try {
            return new Delivered(stripe.send(event));
        } catch (StripeCallException e) {
            return new Failed(e, e.getMessage());
        } catch (RuntimeException e) {
            return new Failed(null, e.toString());
        }
    }

    private void recordFailure(ReportRun run, LedgerEntry entry, StripeCallException error, String message) {
        if (run.errors.size() < config.maxRecordedErrors()) {
            run.errors.add(new ReportRun.ReportError(entry.meter, entry.subject, Instant.ofEpochSecond(entry.windowStart),
                    entry.pending.customerId(), entry.pending.identifier(), error == null ? null : error.status(),
                    error == null ? null : error.code(), message));
        }
        entry.lastError = message;
        // a permanent refusal is recorded and dropped (the next run plans afresh); a retryable failure stays
        // pending: Stripe may have it, and only the same identifier can find out safely
        if (error != null && !error.retryable()) {
            entry.pending = null;
        }
    }

    private static Delivery await(Future<Delivery> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Failed(null, "interrupted while waiting for Stripe");
        } catch (ExecutionException e) {
            return new Failed(null, String.valueOf(e.getCause()));
        }
    }

    /** The run working on this instance; {@code lost} once a renewal failed. */
    private static final class ActiveRun {
        final String owner;
        volatile boolean lost;

        ActiveRun(String owner) {
            this.owner = owner;
        }
    }

    /** The run lost its lease (it stalled longer than the lease): another reporter may be running. */
    static final class LeaseLostException extends RuntimeException {
        LeaseLostException(String message) {
            super(message);
        }
    }
}
