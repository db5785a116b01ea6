package io.meterline.billing.period;

import com.mongodb.MongoClientSettings;
import io.meterline.billing.aggregation.WindowState;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.UsageWindowDocument;
import org.bson.BsonDocument;
import org.bson.BsonDocumentReader;
import org.bson.BsonDocumentWriter;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.codecs.pojo.PojoCodecProvider;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HourlyWindowCodecTests {

    /** How billing's aggregation stores windows: the driver's POJO codec. */
    private static final CodecRegistry STORED = CodecRegistries.fromRegistries(MongoClientSettings.getDefaultCodecRegistry(),
            CodecRegistries.fromProviders(PojoCodecProvider.builder().automatic(true).build()));
    private static final Instant HOUR = Instant.parse("2026-10-04T13:00:00Z");

    private static UsageWindowDocument window(Aggregation aggregation) {
        UsageWindowDocument window = new UsageWindowDocument();
        window.id = UsageWindowDocument.idOf("calls", "cust-1", "region=eu", HOUR.getEpochSecond());
        window.meter = "calls";
        window.subject = "cust-1";
        window.organization = "org-9";
        window.groupKey = "region=eu";
        window.group = Map.of("region", "eu");
        window.windowStart = Date.from(HOUR);
        window.windowEnd = Date.from(HOUR.plusSeconds(3600));
        window.aggregation = aggregation;
        window.eventCount = 4;
        window.sum = 10.5;
        window.min = 0.5;
        window.max = 7;
        window.lastTime = HOUR.toEpochMilli() + 42;
        window.lastValue = 3;
        window.uniques = List.of("a", "b");
        window.version = 9;
        window.updatedAt = new Date();
        return window;
    }

    private static BsonDocument stored(UsageWindowDocument window) {
        BsonDocument document = new BsonDocument();
        STORED.get(UsageWindowDocument.class).encode(new BsonDocumentWriter(document), window,
                EncoderContext.builder().build());
        return document;
    }

    private static HourlyWindow decode(BsonDocument document) {
        return new HourlyWindow.HourlyWindowCodec().decode(new BsonDocumentReader(document),
                DecoderContext.builder().build());
    }

    /** What the dev server sends back for the projection of {@code aggregation}. */
    private static BsonDocument projected(BsonDocument stored, Aggregation aggregation) {
        BsonDocument projection = HourlyWindow.fields(aggregation).toBsonDocument(BsonDocument.class, STORED);
        BsonDocument reply = new BsonDocument();
        stored.forEach((name, value) -> {
            if (projection.containsKey(name) && projection.get(name).isNumber() && projection.getNumber(name).intValue() == 1) {
                reply.put(name, value);
            }
        });
        return reply;
    }

    /** A window's whole mergeable state, as merging read it before decision 0096. */
    private static WindowState wholeState(UsageWindowDocument window) {
        WindowState state = WindowState.empty(window.meter, window.subject, window.groupKey, window.group,
                window.windowStart.getTime(), window.aggregation);
        state.count = window.eventCount;
        state.sum = window.sum;
        state.min = window.min;
        state.max = window.max;
        state.lastTime = window.lastTime;
        state.lastValue = window.lastValue;
        state.uniques = new java.util.LinkedHashSet<>(window.uniques);
        return state;
    }

    @Test
    void aStoredWindowDecodesToWhatMergingNeeds() {
        HourlyWindow hour = decode(stored(window(Aggregation.SUM)));

        assertThat(hour.subject).isEqualTo("cust-1");
        assertThat(hour.organization).isEqualTo("org-9");
        assertThat(hour.groupKey).isEqualTo("region=eu");
        assertThat(hour.group).containsExactly(Map.entry("region", "eu"));
        assertThat(hour.windowStart).isEqualTo(HOUR.toEpochMilli());
        assertThat(hour.count).isEqualTo(4);
        assertThat(hour.sum).isEqualTo(10.5);
        assertThat(hour.min).isEqualTo(0.5);
        assertThat(hour.max).isEqualTo(7);
        assertThat(hour.lastTime).isEqualTo(HOUR.toEpochMilli() + 42);
        assertThat(hour.lastValue).isEqualTo(3);
        assertThat(hour.uniques).containsExactly("a", "b");
    }

    @Test
    void mergingTheLeanHoursGivesTheValueMergingWholeWindowsGivesForEveryAggregation() {
        for (Aggregation aggregation : Aggregation.values()) {
            UsageWindowDocument first = window(aggregation);
            UsageWindowDocument second = window(aggregation);
            second.windowStart = Date.from(HOUR.plusSeconds(3600));
            second.eventCount = 2;
            second.sum = 1;
            second.min = 0.25;
            second.max = 9;
            second.lastTime = first.lastTime - 1; // earlier event: the first hour's last value stays
            second.lastValue = 8;
            second.uniques = List.of("b", "c");

            WindowState lean = WindowState.empty("calls", "cust-1", "region=eu", Map.of(), 0, aggregation);
            WindowState whole = WindowState.empty("calls", "cust-1", "region=eu", Map.of(), 0, aggregation);
            for (UsageWindowDocument window : List.of(first, second)) {
                HourlySource.mergeInto(lean, decode(projected(stored(window), aggregation)));
                whole.merge(wholeState(window));
            }

            assertThat(lean.count).as(aggregation.name()).isEqualTo(6);
            assertThat(lean.value()).as(aggregation.name()).isEqualTo(whole.value());
        }
    }

    @Test
    void absentAndNullFieldsLeaveTheMergeNeutral() {
        BsonDocument stored = stored(window(Aggregation.MIN));
        stored.remove("uniques");
        stored.put("organization", new org.bson.BsonNull());
        stored.remove("max");

        HourlyWindow hour = decode(stored);

        assertThat(hour.organization).isNull();
        assertThat(hour.uniques).isEmpty();
        assertThat(hour.max).isEqualTo(Double.NEGATIVE_INFINITY);
        WindowState state = WindowState.empty("calls", "cust-1", "region=eu", Map.of(), 0, Aggregation.MAX);
        state.organization = "org-kept";
        HourlySource.mergeInto(state, hour);
        assertThat(state.organization).as("a window without organization keeps the one known").isEqualTo("org-kept");
    }

    @Test
    void numbersWrittenAsIntegersByAnotherWriterAreRead() {
        BsonDocument stored = stored(window(Aggregation.SUM));
        stored.put("eventCount", new org.bson.BsonInt32(4));
        stored.put("sum", new org.bson.BsonInt64(11));
        stored.put("lastTime", new org.bson.BsonDouble(5));

        HourlyWindow hour = decode(stored);

        assertThat(hour.count).isEqualTo(4);
        assertThat(hour.sum).isEqualTo(11);
        assertThat(hour.lastTime).isEqualTo(5);
    }
}
