package io.meterline.devstack.stripe;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Faults injected on demand, each for the next {@code times} requests whose path starts with a prefix
 * ({@code null} or {@code ""} = every path). Rules are consumed in the order they were added.
 */
public final class Faults {

    /** What an injected fault does to one request. */
    public enum Kind {
        /** 429 with {@code Retry-After} and {@code Stripe-Should-Retry: true}; the request is not processed. */
        RATE_LIMIT,
        /** 500 {@code api_error}; the request is not processed. */
        SERVER_ERROR,
        /** The request is processed after a delay. */
        SLOW,
        /** The connection is closed without an answer; the request is not processed. */
        CONNECTION_RESET,
        /** The request is processed (and its idempotent result stored), then the connection is closed unanswered. */
        DROP_RESPONSE,
        /** Any Stripe error answer ({@code status}, {@code type}, {@code message}); the request is not processed. */
        ERROR
    }

    /** One fault rule. */
    public record Rule(Kind kind, String pathPrefix, AtomicInteger remaining, long retryAfterSeconds, Duration delay,
                       int status, String type, String message) {

        public Rule(Kind kind, String pathPrefix, AtomicInteger remaining, long retryAfterSeconds, Duration delay) {
            this(kind, pathPrefix, remaining, retryAfterSeconds, delay, 0, null, null);
        }

        boolean matches(String path) {
            return pathPrefix == null || pathPrefix.isEmpty() || path.startsWith(pathPrefix);
        }
    }

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final AtomicLong injected = new AtomicLong();

    /** The next {@code times} matching requests answer 429 with {@code Retry-After: retryAfterSeconds}. */
    public Faults rateLimit(String pathPrefix, int times, long retryAfterSeconds) {
        return add(new Rule(Kind.RATE_LIMIT, pathPrefix, new AtomicInteger(times), retryAfterSeconds, Duration.ZERO));
    }

    /** The next {@code times} matching requests answer 500. */
    public Faults serverError(String pathPrefix, int times) {
        return add(new Rule(Kind.SERVER_ERROR, pathPrefix, new AtomicInteger(times), 0, Duration.ZERO));
    }

    /** The next {@code times} matching requests are answered after {@code delay}. */
    public Faults slow(String pathPrefix, int times, Duration delay) {
        return add(new Rule(Kind.SLOW, pathPrefix, new AtomicInteger(times), 0, delay));
    }

    /** The next {@code times} matching requests have their connection closed before anything is done. */
    public Faults connectionReset(String pathPrefix, int times) {
        return add(new Rule(Kind.CONNECTION_RESET, pathPrefix, new AtomicInteger(times), 0, Duration.ZERO));
    }

    /** The next {@code times} matching requests are carried out, but the answer is lost (connection closed). */
    public Faults dropResponse(String pathPrefix, int times) {
        return add(new Rule(Kind.DROP_RESPONSE, pathPrefix, new AtomicInteger(times), 0, Duration.ZERO));
    }

    /** The next {@code times} matching requests answer {@code status} with a Stripe error of {@code type}. */
    public Faults error(String pathPrefix, int times, int status, String type, String message) {
        return add(new Rule(Kind.ERROR, pathPrefix, new AtomicInteger(times), 0, Duration.ZERO, status, type, message));
    }

    public Faults add(Rule rule) {
        rules.add(rule);
        return this;
    }

    /** Removes every pending fault. */
    public void clear() {
        rules.clear();
    }

    /** How many faults have been injected since start (or the last {@link StripeStandIn#reset()}). */
    public long injected() {
        return injected.get();
    }

    /** Faults still waiting to be injected. */
    public int pending() {
        return rules.stream().mapToInt(r -> Math.max(0, r.remaining().get())).sum();
    }

    void resetCounters() {
        rules.clear();
        injected.set(0);
    }

    /** Claims the first matching rule for this request, or {@code null}. */
    Rule next(String path) {
        for (Rule rule : rules) {
            if (rule.matches(path)) {
                int left = rule.remaining().getAndDecrement();
                if (left > 0) {
                    injected.incrementAndGet();
                    if (left == 1) {
                        rules.remove(rule);
                    }
                    return rule;
                }
                rules.remove(rule);
            }
        }
        return null;
    }
}
