package io.meterline.billing.aggregation;

import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Windows this instance's stream threads changed since their task's last commit, in the window state's binary form:
 * the windows store receives them only at the commit (decision 0028), usage queries see them here first. Each stream
 * thread publishes its changes every {@code live-interval} and removes them once the store holds them, or when its
 * task closes without committing; usage queries read it beside the store and take the higher version.
 *
 * <p>Kept per meter and subject, the unit a usage query asks for. All windows of a subject belong to one task, so
 * only one stream thread ever writes a subject's entries; queries only read. A plain singleton: the stream threads
 * call it directly, not through a client proxy.
 *
 * <p>It also counts the tasks that hold changes no commit has made durable yet, so the MongoDB writer can tell a
 * pause between two commits from an aggregation that has caught up (decision 0029).
 */
@Singleton
public class RecentWindows {

    private static final Logger LOG = Logger.getLogger(RecentWindows.class);

    private record Customer(String meter, String subject) {
    }

    private final Map<Customer, Map<String, byte[]>> windows = new ConcurrentHashMap<>();
    private final AtomicInteger uncommittedTasks = new AtomicInteger();
    private volatile long lastCommitNanos = System.nanoTime();

    /** A task that held no uncommitted change changed windows. */
    void changing() {
        uncommittedTasks.incrementAndGet();
    }

    /** A task's changes were committed (or dropped with the task): it holds none now. */
    void settled() {
        lastCommitNanos = System.nanoTime();
        if (uncommittedTasks.decrementAndGet() == 0) {
            LOG.debug("every window change of this instance is committed");
        }
    }

    /** Whether every change this instance's tasks made is committed (or dropped). */
    public boolean allCommitted() {
        return uncommittedTasks.get() <= 0;
    }

    /** When a task of this instance last had its changes committed ({@link System#nanoTime}). */
    public long lastCommitNanos() {
        return lastCommitNanos;
    }

    void publish(String id, WindowState state, byte[] bytes) {
        windows.computeIfAbsent(new Customer(state.meter, state.subject), key -> new ConcurrentHashMap<>())
                .put(id, bytes);
    }

    /** Takes these windows (id → state) out. */
    void remove(Map<String, WindowState> states) {
        states.forEach((id, state) -> {
            Customer customer = new Customer(state.meter, state.subject);
            Map<String, byte[]> published = windows.get(customer);
            if (published != null && published.remove(id) != null && published.isEmpty()) {
                windows.remove(customer, published);
            }
        });
    }

    /** The latest published state of the window {@code id} of this meter and subject, or null. */
    byte[] get(String meter, String subject, String id) {
        Map<String, byte[]> published = windows.get(new Customer(meter, subject));
        return published == null ? null : published.get(id);
    }

    /** Every published window of this meter and subject. */
    List<byte[]> of(String meter, String subject) {
        Map<String, byte[]> published = windows.get(new Customer(meter, subject));
        return published == null ? List.of() : List.copyOf(published.values());
    }

    /** Whether any window of the meter is published. */
    boolean anyForMeter(String meter) {
        return windows.keySet().stream().anyMatch(customer -> customer.meter().equals(meter));
    }
}
