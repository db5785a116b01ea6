package io.meterline.billing.aggregation;

import io.meterline.model.usage.Aggregation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The mergeable state of one hourly window: enough to compute every aggregation of the window and to merge
 * windows into longer periods exactly (sum, count, min, max, last value with its event time, distinct values).
 * Plain Java; serialised compactly because it is written to the state store on every update.
 */
public final class WindowState {

    /** 2 adds the explanation facts after {@link #version}; 1 (without them) is still read. */
    private static final byte FORMAT = 2;
    private static final byte FORMAT_1 = 1;
    /** Late arrivals kept per window (the count is exact, the list is the latest ones). */
    static final int MAX_LATE_ARRIVALS = 20;

    public String meter;
    public String subject;
    public String organization;
    public String groupKey;
    public Map<String, String> group = Map.of();
    public long windowStart;
    public Aggregation aggregation;
    public long count;
    public double sum;
    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;
    public long lastTime = Long.MIN_VALUE;
    public double lastValue;
    public Set<String> uniques = new LinkedHashSet<>();
    /** Incremented on every change: the MongoDB writer never lets a lower version replace a higher one. */
    public long version;

    // explanation facts (GET /v1/usage/explain), recorded since format 2; not part of the value
    /** Repeats of counted events (same source and id) that arrived for this window and were dropped. */
    public long duplicates;
    /** Events counted after the window had closed (arrival later than its end plus the closed grace). */
    public long late;
    /** Events recovered from a usage provider ({@code reconciled: true}). */
    public long reconciled;
    /** The latest late arrivals: {arrival epoch ms, event time epoch ms}. */
    public java.util.List<long[]> lateArrivals = new java.util.ArrayList<>();

    public static WindowState empty(String meter, String subject, String groupKey, Map<String, String> group,
            long windowStart, Aggregation aggregation) {
        WindowState state = new WindowState();
        state.meter = meter;
        state.subject = subject;
        state.groupKey = groupKey;
        state.group = group;
        state.windowStart = windowStart;
        state.aggregation = aggregation;
        return state;
    }

    /**
     * Counts one event. {@code value} is the numeric value (ignored by COUNT and UNIQUE_COUNT), {@code unique}
     * the distinct-value text (UNIQUE_COUNT only), {@code eventTime} decides LAST: the latest event time wins,
     * ties go to the later arrival.
     */
    public void add(double value, String unique, long eventTime) {
        count++;
        sum += value;
        min = Math.min(min, value);
        max = Math.max(max, value);
        if (eventTime >= lastTime) {
            lastTime = eventTime;
            lastValue = value;
        }
        if (unique != null) {
            uniques.add(unique);
        }
        version++;
    }

    /** Folds another window's state into this one (for day/week/month views). */
    public void merge(WindowState other) {
        mergeValues(other.count, other.sum, other.min, other.max, other.lastTime, other.lastValue, other.uniques);
        duplicates += other.duplicates;
        late += other.late;
        reconciled += other.reconciled;
        other.lateArrivals.forEach(this::lateArrival);
    }

    /**
     * Folds another window's mergeable state into this one: counts and sums add up, the extremes and the latest value
     * win, unique values join (what AVG and UNIQUE_COUNT need across windows; neither is a sum of window values).
     */
    public void mergeValues(long count, double sum, double min, double max, long lastTime, double lastValue,
            Collection<String> uniques) {
        this.count += count;
        this.sum += sum;
        this.min = Math.min(this.min, min);
        this.max = Math.max(this.max, max);
        if (lastTime >= this.lastTime) {
            this.lastTime = lastTime;
            this.lastValue = lastValue;
        }
        if (!uniques.isEmpty()) {
            this.uniques.addAll(uniques);
        }
    }

    /** Records that an event counted into this window arrived at {@code arrivedAt}, after the window closed. */
    public void lateArrival(long[] arrivalAndEventTime) {
        lateArrivals.add(arrivalAndEventTime);
        if (lateArrivals.size() > MAX_LATE_ARRIVALS) {
            lateArrivals.remove(0);
        }
    }

    /** The window's value under its aggregation. */
    public double value() {
        return valueOf(aggregation, count, sum, min, max, lastValue, uniques.size());
    }

    public static double valueOf(Aggregation aggregation, long count, double sum, double min, double max,
            double lastValue, int uniques) {
        if (count == 0) {
            return 0;
        }
        return switch (aggregation) {
            case SUM -> sum;
            case COUNT -> count;
            case MAX -> max;
            case MIN -> min;
            case AVG -> sum / count;
            case LAST -> lastValue;
            case UNIQUE_COUNT -> uniques;
        };
    }

    public String id() {
        return io.meterline.model.usage.UsageWindowDocument.idOf(meter, subject, groupKey, windowStart / 1000);
    }

    /**
     * The state in format 2. Written for every commit and publication of a changed window, so the part that never
     * changes (the names, the group, the start and the aggregation: 40–60 % of the bytes) is encoded once and
     * copied; it is encoded again when any of those fields changed. The bytes are exactly what
     * {@link DataOutputStream} writes for the same fields (modified UTF-8 strings, big-endian numbers), so stores,
     * changelogs and the MongoDB writer read them as before.
     */
    public byte[] toBytes() {
        byte[] head = head();
        byte[] uniqueBytes = uniques.isEmpty() ? null : encodeUniques();
        int size = head.length + 6 * Long.BYTES + Integer.BYTES + (uniqueBytes == null ? 0 : uniqueBytes.length)
                + 4 * Long.BYTES + Short.BYTES + lateArrivals.size() * 2 * Long.BYTES;
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(head);
        out.putLong(count);
        out.putLong(Double.doubleToLongBits(sum));
        out.putLong(Double.doubleToLongBits(min));
        out.putLong(Double.doubleToLongBits(max));
        out.putLong(lastTime);
        out.putLong(Double.doubleToLongBits(lastValue));
        out.putInt(uniques.size());
        if (uniqueBytes != null) {
            out.put(uniqueBytes);
        }
        out.putLong(version);
        out.putLong(duplicates);
        out.putLong(late);
        out.putLong(reconciled);
        out.putShort((short) lateArrivals.size());
        for (long[] arrival : lateArrivals) {
            out.putLong(arrival[0]);
            out.putLong(arrival[1]);
        }
        return out.array();
    }

    /** The encoded head and the field values it was encoded from: any of them changed (the group: replaced) re-encodes. */
    private record Head(byte[] bytes, String meter, String subject, String organization, String groupKey,
            Map<String, String> group, long windowStart, Aggregation aggregation) {
    }

    private Head encodedHead;

    private byte[] head() {
        Head h = encodedHead;
        if (h == null || !h.meter.equals(meter) || !h.subject.equals(subject)
                || !Objects.equals(h.organization, organization) || !h.groupKey.equals(groupKey) || h.group != group
                || h.windowStart != windowStart || h.aggregation != aggregation) {
            byte[] bytes = encode(out -> {
                out.writeByte(FORMAT);
                out.writeUTF(meter);
                out.writeUTF(subject);
                out.writeUTF(organization == null ? "" : organization);
                out.writeUTF(groupKey);
                out.writeShort(group.size());
                for (Map.Entry<String, String> entry : group.entrySet()) {
                    out.writeUTF(entry.getKey());
                    out.writeUTF(entry.getValue());
                }
                out.writeLong(windowStart);
                out.writeByte(aggregation.ordinal());
            });
            h = new Head(bytes, meter, subject, organization, groupKey, group, windowStart, aggregation);
            encodedHead = h;
        }
        return h.bytes;
    }

    private byte[] encodeUniques() {
        return encode(out -> {
            for (String unique : uniques) {
                out.writeUTF(unique);
            }
        });
    }

    private interface Encoder {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] encode(Encoder encoder) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            DataOutputStream out = new DataOutputStream(bytes);
            encoder.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static WindowState fromBytes(byte[] data) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            byte format = in.readByte();
            if (format != FORMAT && format != FORMAT_1) {
                throw new IllegalStateException("unknown window state format " + format);
            }
            WindowState state = new WindowState();
            state.meter = in.readUTF();
            state.subject = in.readUTF();
            String organization = in.readUTF();
            state.organization = organization.isEmpty() ? null : organization;
            state.groupKey = in.readUTF();
            int groups = in.readShort();
            Map<String, String> group = new LinkedHashMap<>();
            for (int i = 0; i < groups; i++) {
                group.put(in.readUTF(), in.readUTF());
            }
            state.group = group;
            state.windowStart = in.readLong();
            state.aggregation = Aggregation.values()[in.readByte()];
            state.count = in.readLong();
            state.sum = in.readDouble();
            state.min = in.readDouble();
            state.max = in.readDouble();
            state.lastTime = in.readLong();
            state.lastValue = in.readDouble();
            int uniques = in.readInt();
            for (int i = 0; i < uniques; i++) {
                state.uniques.add(in.readUTF());
            }
            state.version = in.readLong();
            if (format == FORMAT) {
                state.duplicates = in.readLong();
                state.late = in.readLong();
                state.reconciled = in.readLong();
                int arrivals = in.readShort();
                for (int i = 0; i < arrivals; i++) {
                    state.lateArrivals.add(new long[] {in.readLong(), in.readLong()});
                }
            }
            return state;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
