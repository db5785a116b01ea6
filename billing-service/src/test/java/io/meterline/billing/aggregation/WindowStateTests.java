package io.meterline.billing.aggregation;

import io.meterline.model.usage.Aggregation;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WindowStateTests {

    static WindowState window(Aggregation aggregation) {
        return WindowState.empty("m", "cust", "", Map.of(), 3_600_000L, aggregation);
    }

    @Test
    void lastKeepsTheLatestEventTimeWhateverTheArrivalOrder() {
        WindowState last = window(Aggregation.LAST);
        last.add(7, null, 1_000);
        last.add(9, null, 3_000);
        last.add(1, null, 2_000);
        assertThat(last.value()).isEqualTo(9);
    }

    @Test
    void mergedAverageIsTotalSumOverTotalCount() {
        WindowState first = window(Aggregation.AVG);
        first.add(2, null, 1);
        first.add(4, null, 2);
        WindowState second = window(Aggregation.AVG);
        second.add(9, null, 3);
        first.merge(second);
        assertThat(first.value()).isEqualTo(5);
    }

    @Test
    void mergedUniqueCountIsTheSizeOfTheUnion() {
        WindowState first = window(Aggregation.UNIQUE_COUNT);
        first.add(0, "a", 1);
        first.add(0, "b", 2);
        WindowState second = window(Aggregation.UNIQUE_COUNT);
        second.add(0, "b", 3);
        second.add(0, "c", 4);
        first.merge(second);
        assertThat(first.value()).isEqualTo(3);
    }

    @Test
    void versionGrowsWithEveryChange() {
        WindowState sum = window(Aggregation.SUM);
        sum.add(1, null, 1);
        sum.add(1, null, 2);
        assertThat(sum.version).isEqualTo(2);
    }

    @Test
    void serialisedStateReadsBackIdentically() {
        WindowState state = WindowState.empty("meter", "cust", "region=eu", Map.of("region", "eu"), 7_200_000L,
                Aggregation.MAX);
        state.organization = "org-1";
        state.add(3, "x", 10);
        state.add(8, "y", 5);
        WindowState copy = WindowState.fromBytes(state.toBytes());
        assertThat(copy).usingRecursiveComparison().ignoringFields("encodedHead").isEqualTo(state);
        assertThat(copy.id()).isEqualTo("meter|cust|region=eu|7200");
    }

    @Test
    void explanationFactsReadBackAndMergeButNeverChangeTheValue() {
        WindowState state = window(Aggregation.SUM);
        state.add(5, null, 10);
        state.duplicates = 2;
        state.late = 1;
        state.reconciled = 1;
        state.lateArrival(new long[] {9_000_000L, 3_700_000L});
        WindowState copy = WindowState.fromBytes(state.toBytes());
        assertThat(copy).usingRecursiveComparison().ignoringFields("encodedHead").isEqualTo(state);
        copy.merge(state);
        assertThat(copy.duplicates).isEqualTo(4);
        assertThat(copy.late).isEqualTo(2);
        assertThat(copy.lateArrivals).hasSize(2);
        assertThat(copy.value()).isEqualTo(10);
    }

    @Test
    void stateWrittenBeforeTheExplanationFactsIsStillRead() {
        WindowState state = window(Aggregation.SUM);
        state.add(5, null, 10);
        byte[] current = state.toBytes();
        // format 1 ended after the version: drop the facts (3 longs and a short) and mark it as format 1
        byte[] formatOne = java.util.Arrays.copyOf(current, current.length - 3 * 8 - 2);
        formatOne[0] = 1;
        WindowState read = WindowState.fromBytes(formatOne);
        assertThat(read.value()).isEqualTo(5);
        assertThat(read.version).isEqualTo(1);
        assertThat(read.duplicates).isZero();
        assertThat(read.lateArrivals).isEmpty();
    }

    @Test
    void emptyWindowIsZero() {
        assertThat(window(Aggregation.MIN).value()).isZero();
    }

    @Test
    void bytesAreFormatTwoAsDataOutputWritesItAfterEveryKindOfChange() throws Exception {
        // non-ASCII, NUL and a supplementary character: modified UTF-8 differs from UTF-8 for the last two
        WindowState state = WindowState.empty("m\u00e9ter", "cust\u0000\uD83D\uDE00", "region=eu", Map.of("region", "eu"),
                7_200_000L, Aggregation.UNIQUE_COUNT);
        assertThat(state.toBytes()).isEqualTo(reference(state));
        state.add(3, "sensor-\u00e9", 10);
        assertThat(state.toBytes()).isEqualTo(reference(state));
        state.organization = "org-1";
        state.add(Double.NaN, "sensor-2", 5);
        assertThat(state.toBytes()).isEqualTo(reference(state));
        state.organization = "org-2";
        state.duplicates = 3;
        state.late = 1;
        state.reconciled = 2;
        state.lateArrival(new long[] {9_000_000L, 3_700_000L});
        assertThat(state.toBytes()).isEqualTo(reference(state));
        state.group = Map.of("region", "us");
        assertThat(WindowState.fromBytes(state.toBytes()).group).isEqualTo(Map.of("region", "us"));
        assertThat(state.toBytes()).isEqualTo(reference(state));
    }

    /** Format 2 written field by field with {@link DataOutputStream}, as the state store has always held it. */
    private static byte[] reference(WindowState s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(2);
        out.writeUTF(s.meter);
        out.writeUTF(s.subject);
        out.writeUTF(s.organization == null ? "" : s.organization);
        out.writeUTF(s.groupKey);
        out.writeShort(s.group.size());
        for (Map.Entry<String, String> entry : s.group.entrySet()) {
            out.writeUTF(entry.getKey());
            out.writeUTF(entry.getValue());
        }
        out.writeLong(s.windowStart);
        out.writeByte(s.aggregation.ordinal());
        out.writeLong(s.count);
        out.writeDouble(s.sum);
        out.writeDouble(s.min);
        out.writeDouble(s.max);
        out.writeLong(s.lastTime);
        out.writeDouble(s.lastValue);
        out.writeInt(s.uniques.size());
        for (String unique : s.uniques) {
            out.writeUTF(unique);
        }
        out.writeLong(s.version);
        out.writeLong(s.duplicates);
        out.writeLong(s.late);
        out.writeLong(s.reconciled);
        out.writeShort(s.lateArrivals.size());
        for (long[] arrival : s.lateArrivals) {
            out.writeLong(arrival[0]);
            out.writeLong(arrival[1]);
        }
        return bytes.toByteArray();
    }
}
