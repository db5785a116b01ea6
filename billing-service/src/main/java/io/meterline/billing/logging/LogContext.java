package io.meterline.billing.logging;

import io.meterline.model.logs.LogFields;
import org.jboss.logging.MDC;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * MDC entries for one stretch of work (a run, a customer), restored when it ends. Runs started by the scheduler or
 * an HTTP request execute on a duplicated Vert.x context, where Quarkus keeps the MDC; work handed to our own pools
 * (the Stripe call executor) takes a copy with {@link #propagate(Callable)}.
 */
public final class LogContext implements AutoCloseable {

    private final String key;
    private final Object previous;

    private LogContext(String key, String value) {
        this.key = key;
        this.previous = MDC.get(key);
        MDC.put(key, value);
    }

    /** {@code runId} on every line until closed. */
    public static LogContext run(String runId) {
        return new LogContext(LogFields.RUN_ID, runId);
    }

    /** {@code customer} on every line until closed. */
    public static LogContext customer(String subject) {
        return new LogContext(LogFields.CUSTOMER, subject);
    }

    @Override
    public void close() {
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
    }

    /** The task with the caller's MDC, for a thread of a plain executor (which has none of its own). */
    public static <T> Callable<T> propagate(Callable<T> task) {
        Map<String, Object> captured = Map.copyOf(MDC.getMap());
        return () -> {
            captured.forEach(MDC::put);
            try {
                return task.call();
            } finally {
                MDC.clear();
            }
        };
    }
}
