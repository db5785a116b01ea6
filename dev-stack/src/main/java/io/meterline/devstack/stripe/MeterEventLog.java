package io.meterline.devstack.stripe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accepted meter events: the hot path, so concurrent maps and no lock. Written by {@link MeterEvents}, canceled by
 * {@link MeterEventAdjustments}, summarised by {@link BillingMeters}.
 */
final class MeterEventLog {

    /** One accepted meter event. Canceled by a meter event adjustment. */
    static final class MeterEvent {
        final String identifier;
        final String eventName;
        final String customer;
        final long value;
        final long timestamp;
        final long created;
        final long sequence;
        final Map<String, String> payload;
        volatile boolean canceled;

        MeterEvent(String identifier, String eventName, String customer, long value, long timestamp, long created,
                   long sequence, Map<String, String> payload) {
            this.identifier = identifier;
            this.eventName = eventName;
            this.customer = customer;
            this.value = value;
            this.timestamp = timestamp;
            this.created = created;
            this.sequence = sequence;
            this.payload = payload;
        }
    }

    private final Map<String, MeterEvent> byIdentifier = new ConcurrentHashMap<>();
    private final Map<String, Queue<MeterEvent>> byNameAndCustomer = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    long nextSequence() {
        return sequence.incrementAndGet();
    }

    boolean contains(String identifier) {
        return byIdentifier.containsKey(identifier);
    }

    /** Stores the event unless its identifier is taken; answers whether it was stored. */
    boolean add(MeterEvent event) {
        if (byIdentifier.putIfAbsent(event.identifier, event) != null) {
            return false;
        }
        byNameAndCustomer.computeIfAbsent(event.eventName + '\u0000' + event.customer, k -> new ConcurrentLinkedQueue<>())
                .add(event);
        return true;
    }

    /**
     * Forgets an accepted event as if Stripe had lost it; its identifier stays taken (a resend is still refused as
     * a duplicate). Answers whether it was there to lose.
     */
    boolean drop(String identifier) {
        MeterEvent event = byIdentifier.get(identifier);
        if (event == null) {
            return false;
        }
        Queue<MeterEvent> queue = byNameAndCustomer.get(event.eventName + '\u0000' + event.customer);
        return queue != null && queue.remove(event);
    }

    MeterEvent byIdentifier(String identifier) {
        return byIdentifier.get(identifier);
    }

    /** Not canceled events of one customer for an event name with {@code start <= timestamp < end}. */
    List<MeterEvent> eventsOf(String eventName, String customer, long start, long end) {
        Queue<MeterEvent> queue = byNameAndCustomer.get(eventName + '\u0000' + customer);
        List<MeterEvent> out = new ArrayList<>();
        if (queue != null) {
            for (MeterEvent e : queue) {
                if (!e.canceled && e.timestamp >= start && e.timestamp < end) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    /** A meter's formula ({@code sum}, {@code count}, {@code last}) over the events with {@code from <= timestamp < to}. */
    static long aggregate(String formula, List<MeterEvent> events, long from, long to) {
        long sum = 0;
        long count = 0;
        MeterEvent last = null;
        for (MeterEvent e : events) {
            if (e.timestamp < from || e.timestamp >= to) {
                continue;
            }
            sum += e.value;
            count++;
            if (last == null || e.timestamp > last.timestamp
                    || (e.timestamp == last.timestamp && e.sequence > last.sequence)) {
                last = e;
            }
        }
        return switch (formula) {
            case "count" -> count;
            case "last" -> last == null ? 0 : last.value;
            default -> sum;
        };
    }

    /** Aggregated value per window start (UTC hours or days) of one customer's events for an event name. */
    TreeMap<Long, Long> totals(String formula, String eventName, String customer, long windowSeconds) {
        TreeMap<Long, List<MeterEvent>> byWindow = new TreeMap<>();
        for (MeterEvent e : eventsOf(eventName, customer, Long.MIN_VALUE, Long.MAX_VALUE)) {
            byWindow.computeIfAbsent(Math.floorDiv(e.timestamp, windowSeconds) * windowSeconds, k -> new ArrayList<>()).add(e);
        }
        TreeMap<Long, Long> totals = new TreeMap<>();
        byWindow.forEach((w, list) -> totals.put(w, aggregate(formula, list, Long.MIN_VALUE, Long.MAX_VALUE)));
        return totals;
    }

    /** Every accepted event, in the order accepted. */
    List<MeterEvent> all() {
        List<MeterEvent> all = new ArrayList<>(byIdentifier.values());
        all.sort((a, b) -> Long.compare(a.sequence, b.sequence));
        return all;
    }

    long count() {
        return byIdentifier.size();
    }

    void clear() {
        byIdentifier.clear();
        byNameAndCustomer.clear();
    }
}
