package io.meterline.billing.balance;

import io.meterline.billing.config.BalanceConfig;
import io.meterline.billing.config.BillingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Balance movements, each one compare-and-set replace of the balance document that carries the new balance, the
 * movement itself ({@code pending}) and whatever it triggers (notification outbox, recharge) together. The history
 * copy is written afterwards, idempotently by key; a pending movement is dropped from the balance document only once
 * its history copy exists. So a crash after any write leaves either nothing (the retry applies the movement) or the
 * movement in {@code pending} (the retry finds it and answers as the first time; the sweep copies it to history).
 * See docs/decisions/0110.
 */
@ApplicationScoped
public class BalanceService {

    private static final Logger LOG = Logger.getLogger(BalanceService.class);
    private static final int MAX_ATTEMPTS = 10_000;

    /** What kind of movement. */
    public enum Kind {
        CREDIT, DEBIT, USAGE, RECHARGE;

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One requested movement; {@code key} is already namespaced ({@code api:…}, {@code usage:…}, {@code recharge:…}). */
    public record Movement(Kind kind, long amount, String key, String reason, String reference) {

        String fingerprint(String currency) {
            return kind.wire() + "|" + amount + "|" + currency + "|" + (reason == null ? "" : reason) + "|"
                    + (reference == null ? "" : reference);
        }
    }

    /** The answer to a movement (the same for its replays). */
    public record Result(MovementDocument movement, boolean replayed, BalanceView balance) {
    }

    /** Same key, different request. */
    public static final class KeyReusedException extends RuntimeException {
        public KeyReusedException(String key) {
            super("idempotency key " + key + " was already used with a different amount, kind, reason or reference",
                    null, false, false); // an answer (409), not a fault: no stack trace to fill
        }
    }

    /** A debit refused by the debt limit; nothing was written. */
    public static final class DebtLimitExceededException extends RuntimeException {
        private final BalanceRules.Refused refused;

        public DebtLimitExceededException(BalanceRules.Refused refused) {
            // an answer (402), not a fault: most of a debt-limited workload's debits end here, so no stack trace
            super("debiting " + refused.attempted() + " would take the balance to " + refused.wouldBe()
                    + ", below the debt limit of -" + refused.debtLimit(), null, false, false);
            this.refused = refused;
        }

        public BalanceRules.Refused refused() {
            return refused;
        }
    }

    /** Balance settings (absent = unchanged). */
    public record Settings(Long debtLimit, Long rechargeThreshold, List<String> modes, BalanceDocument.AutoRecharge autoRecharge,
                           boolean clearAutoRecharge) {
    }

    /** Work for the outbox: an account whose document holds notifications or a recharge to request. */
    public record OutboxWork(String account) {
    }

    private final BalanceRepository repository;
    private final BalanceWriter writer;
    private final BalanceConfig config;
    private final EntitlementCache cache;
    private final BalanceMetrics metrics;
    private final Event<OutboxWork> outbox;
    /** Newest document this instance wrote or read per account: the first compare-and-set attempt starts from it. */
    private final Map<String, BalanceDocument> latest = new ConcurrentHashMap<>();
    /** Pending movements whose history copy this instance has written: the next write drops them. */
    private final Set<String> copied = ConcurrentHashMap.newKeySet();
    /**
     * Movements of one account are serialised inside this instance (striped locks): concurrent requests then take
     * turns instead of failing each other's compare-and-set, and each starts from the version the previous one
     * wrote. The compare-and-set still decides between instances.
     */
    private final Object[] locks = new Object[1024];

    public BalanceService(BalanceRepository repository, BalanceWriter writer, BillingConfig config, EntitlementCache cache,
            BalanceMetrics metrics, Event<OutboxWork> outbox) {
        this.repository = repository;
        this.writer = writer;
        this.config = config.balance();
        this.cache = cache;
        this.metrics = metrics;
        this.outbox = outbox;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    private Object lockFor(String account) {
        return locks[Math.floorMod(account.hashCode(), locks.length)];
    }

    public String currency(String requested) {
        return requested == null || requested.isBlank() ? config.currency() : requested.toLowerCase(java.util.Locale.ROOT);
    }

    public long debtLimit(BalanceDocument document) {
        return document.debtLimit != null ? document.debtLimit : config.debtLimit();
    }

    public long threshold(BalanceDocument document) {
        return document.rechargeThreshold != null ? document.rechargeThreshold : config.rechargeThreshold();
    }

    /** The stored balance, or null. */
    public BalanceView find(String customer, String currency) {
        BalanceDocument document = repository.find(BalanceDocument.idOf(customer, currency));
        return document == null ? null : view(document);
    }

    public BalanceView view(BalanceDocument d) {
        return BalanceView.of(d, config);
    }

    /** Creates or changes a balance's settings (never its amounts). */
    public BalanceView configure(String customer, String currency, Settings settings) {
        synchronized (lockFor(BalanceDocument.idOf(customer, currency))) {
            return configureLocked(customer, currency, settings);
        }
    }

    private BalanceView configureLocked(String customer, String currency, Settings settings) {
        String account = BalanceDocument.idOf(customer, currency);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            BalanceDocument current = load(account, customer, currency);
            if (current == null) {
                continue;
            }
            BalanceDocument next = current.copy();
            if (settings.debtLimit() != null) {
                next.debtLimit = settings.debtLimit();
            }
            if (settings.rechargeThreshold() != null) {
                next.rechargeThreshold = settings.rechargeThreshold();
            }
            if (settings.modes() != null) {
                next.modes = new ArrayList<>(settings.modes());
            }
            if (settings.clearAutoRecharge()) {
                next.autoRecharge = null;
            } else if (settings.autoRecharge() != null) {
                next.autoRecharge = settings.autoRecharge();
            }
            crossing(next);
            if (settings.autoRecharge() != null && next.belowThreshold && (next.recharge == null
                    || "succeeded".equals(next.recharge.status) || "failed".equals(next.recharge.status))) {
                // turned on (or given a new card after a failure) while already below: recharge now, as a new sequence
                next.rechargeSequence++;
                startRecharge(next);
            }
            if (write(next, current.version)) {
                return view(next);
            }
        }
        throw new IllegalStateException("balance " + account + " kept changing; try again");
    }

    /** Applies a movement once per key: replays answer as the first time; a refused debit writes nothing. */
    public Result move(String customer, String currency, Movement movement) {
        synchronized (lockFor(BalanceDocument.idOf(customer, currency))) {
            return moveLocked(customer, currency, movement);
        }
    }

    private Result moveLocked(String customer, String currency, Movement movement) {
        String account = BalanceDocument.idOf(customer, currency);
        String fingerprint = movement.fingerprint(currency);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            BalanceDocument current = attempt == 0 ? latest.get(account) : null;
            boolean fromMemory = current != null;
            if (current == null) {
                current = load(account, customer, currency);
                if (current == null) {
                    continue;
                }
            }
            MovementDocument seen = pendingMovement(current, movement.key());
            if (seen == null && KeyFilter.mightContain(current.keyFilter, movement.key())) {
                // not pending in the version read: applied before it only if already copied to history (a pending
                // movement is dropped only after its copy exists), applied after it only if the version moved on.
                // The version's key filter proves most new keys new without this read (0114).
                seen = repository.movement(account + "|" + movement.key());
            }
            if (seen != null) {
                if (!seen.fingerprint.equals(fingerprint)) {
                    throw new KeyReusedException(movement.key().substring(movement.key().indexOf(':') + 1));
                }
                return new Result(seen, true, view(current));
            }
            long limit = debtLimit(current);
            BalanceRules.Outcome outcome = switch (movement.kind()) {
                case CREDIT, RECHARGE -> BalanceRules.credit(current.balance, current.unsettled, movement.amount());
                case DEBIT -> BalanceRules.debit(current.balance, current.unsettled, limit, movement.amount());
                case USAGE -> BalanceRules.usage(current.balance, current.unsettled, limit, movement.amount());
            };
            if (outcome instanceof BalanceRules.Refused refused) {
                if (fromMemory && !confirmedStored(current)) {
                    // decided on a document from memory that another writer has since replaced: decide again on
                    // the stored one
                    latest.remove(account);
                    continue;
                }
                metrics.debitRefused();
                throw new DebtLimitExceededException(refused);
            }
            BalanceRules.Applied applied = (BalanceRules.Applied) outcome;
            BalanceDocument next = current.copy();
            next.balance = applied.balanceAfter();
            next.unsettled = applied.unsettledAfter();
            next.movements++;
            next.keyFilter = KeyFilter.with(next.keyFilter, movement.key());
            MovementDocument record = movementRecord(next, movement, fingerprint, applied, limit);
            List<MovementDocument> dropped = dropCopied(next);
            next.pending.add(record);
            crossing(next);
            if (write(next, current.version)) {
                dropped.forEach(m -> copied.remove(m.id));
                if (movement.kind() == Kind.USAGE && applied.unsettledDelta() > 0) {
                    metrics.usageUnsettled();
                }
                halt("movement-applied");
                // the answer does not wait for the history copy: until it exists the movement stays in pending
                writer.copyLater(record, this::copied);
                return new Result(record, false, view(next));
            }
            latest.remove(account);
        }
        throw new IllegalStateException("balance " + account + " kept changing; try again");
    }

    /** An account's history (applied movements, oldest first), including any not yet copied from the balance. */
    public List<MovementDocument> history(String customer, String currency) {
        String account = BalanceDocument.idOf(customer, currency);
        BalanceDocument document = repository.find(account);
        List<MovementDocument> history = new ArrayList<>(repository.history(account));
        if (document != null) {
            Set<String> keys = new java.util.HashSet<>();
            history.forEach(m -> keys.add(m.key));
            document.pending.stream().filter(m -> !keys.contains(m.key)).forEach(history::add);
        }
        history.sort(java.util.Comparator.comparingLong(m -> m.sequence));
        return history;
    }

    /**
     * Copies to history and drops the pending movements older than one sweep interval (left by a crash or a failed
     * copy, or on an account with no movement since). Younger ones are the batched copy's and the next movement's.
     */
    public void sweepPending(List<BalanceDocument> scanned) {
        long cutoff = System.currentTimeMillis() - config.sweepInterval().toMillis();
        for (BalanceDocument document : scanned) {
            List<MovementDocument> stale = document.pending.stream()
                    .filter(m -> m.createdAt == null || m.createdAt.getTime() < cutoff).toList();
            if (!stale.isEmpty()) {
                copyToHistory(document, stale.stream().filter(m -> !copied.contains(m.id)).toList());
                compactPending(document.id);
            }
        }
    }

    /** Changes a balance's recharge state under compare-and-set; returns the written document, or null if unchanged. */
    public BalanceDocument updateRecharge(String account, java.util.function.Predicate<BalanceDocument> change) {
        synchronized (lockFor(account)) {
            return updateLocked(account, change);
        }
    }

    private BalanceDocument updateLocked(String account, java.util.function.Predicate<BalanceDocument> change) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            BalanceDocument current = repository.find(account);
            if (current == null) {
                return null;
            }
            BalanceDocument next = current.copy();
            if (!change.test(next)) {
                return null;
            }
            if (write(next, current.version)) {
                return next;
            }
        }
        throw new IllegalStateException("balance " + account + " kept changing");
    }

    // ------------------------------------------------------------------ internals

    private BalanceDocument load(String account, String customer, String currency) {
        BalanceDocument current = writer.read(account);
        if (current != null) {
            latest.put(account, current);
            return current;
        }
        BalanceDocument created = new BalanceDocument();
        created.id = account;
        created.customer = customer;
        created.currency = currency;
        created.modes = new ArrayList<>(List.of("prepaid"));
        created.keyFilter = KeyFilter.empty();
        created.updatedAt = new Date();
        if (repository.insert(created)) {
            latest.put(account, created);
            cache.update(created, view(created));
            return created;
        }
        return null;
    }

    /**
     * Whether a document this instance holds is still the stored one: its version is still stored (a replace always
     * moves the version on, so an equal version means an equal document). One batched read of the version only.
     */
    private boolean confirmedStored(BalanceDocument current) {
        return Long.valueOf(current.version).equals(writer.version(current.id));
    }

    private static MovementDocument pendingMovement(BalanceDocument document, String key) {
        for (MovementDocument pending : document.pending) {
            if (pending.key.equals(key)) {
                return pending;
            }
        }
        return null;
    }

    private MovementDocument movementRecord(BalanceDocument next, Movement movement, String fingerprint,
            BalanceRules.Applied applied, long limit) {
        MovementDocument record = new MovementDocument();
        record.id = next.id + "|" + movement.key();
        record.account = next.id;
        record.customer = next.customer;
        record.currency = next.currency;
        record.key = movement.key();
        record.kind = movement.kind().wire();
        record.amount = movement.amount();
        record.reason = movement.reason();
        record.reference = movement.reference();
        record.fingerprint = fingerprint;
        record.delta = applied.delta();
        record.unsettledDelta = applied.unsettledDelta();
        record.balanceAfter = applied.balanceAfter();
        record.unsettledAfter = applied.unsettledAfter();
        record.debtLimit = limit;
        record.threshold = threshold(next);
        record.sequence = next.movements;
        record.createdAt = new Date();
        return record;
    }

    /**
     * A crossing below the threshold (the flag goes false → true) numbers a new recharge sequence and, in the same
     * write, queues its notification and (with auto-recharge) its PaymentIntent; going back above re-arms it.
     */
    private void crossing(BalanceDocument next) {
        long threshold = threshold(next);
        boolean below = BalanceRules.needsRecharge(next.balance, threshold);
        if (below && !next.belowThreshold) {
            next.rechargeSequence++;
            BalanceDocument.Notification notification = new BalanceDocument.Notification();
            notification.id = next.id + ":recharge_needed:" + next.rechargeSequence;
            notification.type = "balance.recharge_needed";
            notification.sequence = next.rechargeSequence;
            notification.balance = next.balance;
            notification.threshold = threshold;
            notification.at = new Date();
            next.outbox.add(notification);
            startRecharge(next);
        }
        next.belowThreshold = below;
    }

    private static void startRecharge(BalanceDocument next) {
        if (next.autoRecharge != null && next.autoRecharge.amount > 0) {
            BalanceDocument.Recharge recharge = new BalanceDocument.Recharge();
            recharge.sequence = next.rechargeSequence;
            recharge.amount = next.autoRecharge.amount;
            recharge.status = "pending";
            next.recharge = recharge;
        }
    }

    /** Removes the pending movements whose history copy exists (written by this instance); returns them. */
    private List<MovementDocument> dropCopied(BalanceDocument next) {
        List<MovementDocument> dropped = new ArrayList<>();
        for (Iterator<MovementDocument> iterator = next.pending.iterator(); iterator.hasNext(); ) {
            MovementDocument pending = iterator.next();
            if (copied.contains(pending.id)) {
                dropped.add(pending);
                iterator.remove();
            }
        }
        return dropped;
    }

    /** One compare-and-set write; on success the caches see the new document at once. */
    private boolean write(BalanceDocument next, long expectedVersion) {
        next.version = expectedVersion + 1;
        next.updatedAt = new Date();
        if (!writer.replace(next, expectedVersion)) {
            return false;
        }
        latest.put(next.id, next);
        cache.update(next, view(next));
        if (!next.outbox.isEmpty() || next.recharge != null && "pending".equals(next.recharge.status)) {
            outbox.fireAsync(new OutboxWork(next.id));
        }
        return true;
    }

    /** A movement's history copy exists: the next write of its balance drops it from pending. */
    private void copied(MovementDocument movement) {
        copied.add(movement.id);
        halt("history-written");
    }

    private void copyToHistory(BalanceDocument document, List<MovementDocument> movements) {
        if (movements.isEmpty()) {
            return;
        }
        try {
            repository.appendAll(movements);
            movements.forEach(this::copied);
        } catch (RuntimeException e) {
            // the movement is durable in the balance document; the sweep copies it later
            LOG.warnf("copying movements of %s to history failed (%s); the sweep retries", document.id, e.getMessage());
        }
    }

    /** Drops pending movements already in history (one compare-and-set). */
    private void compactPending(String account) {
        synchronized (lockFor(account)) {
            compactLocked(account);
        }
    }

    private void compactLocked(String account) {
        for (int attempt = 0; attempt < 100; attempt++) {
            BalanceDocument current = repository.find(account);
            if (current == null || current.pending.isEmpty()) {
                return;
            }
            BalanceDocument next = current.copy();
            next.pending.removeIf(m -> copied.contains(m.id) || repository.movement(m.id) != null);
            if (next.pending.size() == current.pending.size()) {
                return;
            }
            if (write(next, current.version)) {
                current.pending.forEach(m -> copied.remove(m.id));
                return;
            }
        }
    }

    void halt(String step) {
        if (config.haltAfter().filter(step::equals).isPresent()) {
            LOG.warnf("billing.balance.halt-after=%s: halting now (crash test)", step);
            Runtime.getRuntime().halt(137);
        }
    }
}
