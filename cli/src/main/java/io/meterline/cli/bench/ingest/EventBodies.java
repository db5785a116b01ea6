package io.meterline.cli.bench.ingest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Realistic ~200-byte usage events with unique ids, built from a template (the load generator must stay cheap:
 * it shares the machine with the service and the broker).
 */
public final class EventBodies {

    /** Distinct subjects, i.e. record keys spread over the topic's partitions. */
    public static final int CUSTOMERS = 1000;

    private final String runId;
    private long sequence;
    private String time = Instant.now().toString();
    private long timeRefreshedAt = System.nanoTime();

    public EventBodies(String runId) {
        this.runId = runId;
    }

    /** One event as JSON. Not thread-safe: one instance per generating thread. */
    public void appendEvent(StringBuilder out) {
        long n = sequence++;
        long now = System.nanoTime();
        if (now - timeRefreshedAt > 1_000_000_000L) {
            time = Instant.now().toString();
            timeRefreshedAt = now;
        }
        out.append("{\"id\":\"").append(runId).append('-').append(n)
                .append("\",\"source\":\"bench-loadgen\",\"type\":\"api.request\",\"subject\":\"")
                .append(subject(n))
                .append("\",\"time\":\"").append(time)
                .append("\",\"data\":{\"units\":").append(1 + n % 7)
                .append(",\"region\":\"eu-west-1\",\"endpoint\":\"/v1/search\",\"status\":200}}");
    }

    public byte[] single() {
        StringBuilder out = new StringBuilder(256);
        appendEvent(out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    public byte[] batch(int size) {
        StringBuilder out = new StringBuilder(size * 220);
        out.append('[');
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                out.append(',');
            }
            appendEvent(out);
        }
        return out.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    public static String subject(long n) {
        return "customer-" + (n % CUSTOMERS);
    }
}
