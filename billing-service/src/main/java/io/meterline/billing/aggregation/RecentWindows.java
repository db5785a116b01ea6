package io.meterline.billing.aggregation;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Windows this instance's stream threads changed since their task's last commit, in the window state's binary form:
 * the windows store receives them only at the commit (decision 0028), usage queries see them here first. Each stream
 * thread publishes its changes every {@code live-interval} and removes them once the store holds them, or when its
 * task closes without committing; usage queries read it beside the store and take the higher version.
 */
@ApplicationScoped
public class RecentWindows {

    private final ConcurrentSkipListMap<String, byte[]> windows = new ConcurrentSkipListMap<>();

    void publish(String id, byte[] state) {
        windows.put(id, state);
    }

    void remove(Collection<String> ids) {
        for (String id : ids) {
            windows.remove(id);
        }
    }

    /** The window's latest published state, or null. */
    byte[] get(String id) {
        return windows.get(id);
    }

    /** The published windows whose id starts with {@code prefix}, in id order. */
    List<byte[]> withPrefix(String prefix) {
        ConcurrentNavigableMap<String, byte[]> range = windows.subMap(prefix, true, prefix + Character.MAX_VALUE, true);
        return List.copyOf(range.values());
    }
}
