package io.meterline.billing.balance;

import io.meterline.billing.config.BillingConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Group commit of balance writes (decision 0116). Concurrent compare-and-set replaces of different balances are sent
 * together as one unordered bulk write per round, and history copies as one unordered insert per round: one round
 * trip each for a whole batch instead of one per movement, on a server that serialises each collection's operations.
 * Every replace keeps its own {@code {_id, version}} condition and its own answer ({@link BalanceRepository#replaceAll}),
 * so a batch changes nothing about what each write means: a movement is still applied by exactly one conditional
 * document write, and a crash during a batch leaves each balance either at its old or at its new version.
 *
 * <p>Callers wait for their replace (the answer depends on it) but never for a history copy: the movement is durable
 * in the balance document's {@code pending} list, which keeps it until the copy exists (0110).
 */
@ApplicationScoped
public class BalanceWriter {

    private static final Logger LOG = Logger.getLogger(BalanceWriter.class);
    private static final int MAX_BATCH = 256;

    private record Replace(BalanceDocument next, long expectedVersion, CompletableFuture<Boolean> done) {
    }

    /** A batched lookup by balance id: a whole document, or only its version. */
    private record Read<T>(String id, CompletableFuture<T> done) {
    }

    /** A history copy, and what to do once it is stored. */
    private record Copy(MovementDocument movement, Consumer<MovementDocument> stored) {
    }

    private final BalanceRepository repository;
    private final BalanceMetrics metrics;
    private final long historyLingerMillis;
    private final BlockingQueue<Replace> replaces = new LinkedBlockingQueue<>();
    private final BlockingQueue<Copy> copies = new LinkedBlockingQueue<>();
    private final BlockingQueue<Read<BalanceDocument>> reads = new LinkedBlockingQueue<>();
    private final BlockingQueue<Read<Long>> versions = new LinkedBlockingQueue<>();
    private volatile boolean running = true;
    private final Thread replacer;
    private final Thread copier;
    private final Thread reader;
    private final Thread versionReader;

    public BalanceWriter(BalanceRepository repository, BalanceMetrics metrics, BillingConfig config) {
        this.repository = repository;
        this.metrics = metrics;
        this.historyLingerMillis = config.balance().historyLinger().toMillis();
        this.replacer = daemon("balance-replace-batches", this::replaceLoop);
        this.copier = daemon("balance-history-batches", this::copyLoop);
        this.reader = daemon("balance-read-batches", () -> readLoop(reads, repository::findAll, "read"));
        this.versionReader = daemon("balance-version-batches", () -> readLoop(versions, repository::versions, "version"));
    }

    private static Thread daemon(String name, Runnable loop) {
        Thread thread = new Thread(loop, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        replacer.interrupt();
        copier.interrupt();
        reader.interrupt();
        versionReader.interrupt();
    }

    /** The stored balance (null if none), read together with other balances wanted at the same moment. */
    public BalanceDocument read(String id) {
        Read<BalanceDocument> read = new Read<>(id, new CompletableFuture<>());
        reads.add(read);
        return await(read.done(), id);
    }

    /**
     * The stored balance's version (null if none), read with other versions wanted at the same moment: enough to
     * confirm that a document held in memory is still the stored one (0118).
     */
    public Long version(String id) {
        Read<Long> read = new Read<>(id, new CompletableFuture<>());
        versions.add(read);
        return await(read.done(), id);
    }

    /** Replaces the balance if it is still at {@code expectedVersion}, in the next batch; true if it was. */
    public boolean replace(BalanceDocument next, long expectedVersion) {
        Replace replace = new Replace(next, expectedVersion, new CompletableFuture<>());
        replaces.add(replace);
        return await(replace.done(), next.id);
    }

    private static <T> T await(CompletableFuture<T> done, String id) {
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for balance " + id, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /**
     * Copies a movement to history in the next batch; {@code stored} runs once it is there. A copy that fails stays
     * pending in the balance document, where the sweep finds it.
     */
    public void copyLater(MovementDocument movement, Consumer<MovementDocument> stored) {
        copies.add(new Copy(movement, stored));
    }

    private void replaceLoop() {
        List<Replace> batch = new ArrayList<>();
        while (running) {
            try {
                batch.add(replaces.take());
            } catch (InterruptedException e) {
                return;
            }
            replaces.drainTo(batch, MAX_BATCH - 1);
            try {
                List<BalanceDocument> documents = new ArrayList<>(batch.size());
                List<Long> expected = new ArrayList<>(batch.size());
                batch.forEach(r -> {
                    documents.add(r.next());
                    expected.add(r.expectedVersion());
                });
                List<Boolean> applied = repository.replaceAll(documents, expected);
                metrics.roundTrip("replace", batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).done().complete(applied.get(i));
                }
            } catch (RuntimeException e) {
                // the whole round failed (e.g. the server is unreachable): each caller sees the error, as before
                batch.forEach(r -> r.done().completeExceptionally(e));
            }
            batch.clear();
        }
    }

    private <T> void readLoop(BlockingQueue<Read<T>> queue, Function<List<String>, Map<String, T>> fetch, String kind) {
        List<Read<T>> batch = new ArrayList<>();
        while (running) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            try {
                Map<String, T> found = fetch.apply(batch.stream().map(Read::id).distinct().toList());
                metrics.roundTrip(kind, batch.size());
                batch.forEach(r -> r.done().complete(found.get(r.id())));
            } catch (RuntimeException e) {
                batch.forEach(r -> r.done().completeExceptionally(e));
            }
            batch.clear();
        }
    }

    private void copyLoop() {
        List<Copy> batch = new ArrayList<>();
        while (running) {
            try {
                batch.add(copies.take());
                if (historyLingerMillis > 0) {
                    // let the movements answered meanwhile join this round (0119): one insert for many
                    Thread.sleep(historyLingerMillis);
                }
            } catch (InterruptedException e) {
                return;
            }
            copies.drainTo(batch, MAX_BATCH - 1);
            try {
                List<MovementDocument> movements = new ArrayList<>(batch.size());
                batch.forEach(c -> movements.add(c.movement()));
                repository.appendAll(movements);
                metrics.roundTrip("history", batch.size());
                batch.forEach(c -> c.stored().accept(c.movement()));
            } catch (RuntimeException e) {
                LOG.warnf("copying %d movements to history failed (%s); the sweep retries", batch.size(), e.toString());
            }
            batch.clear();
        }
    }
}
