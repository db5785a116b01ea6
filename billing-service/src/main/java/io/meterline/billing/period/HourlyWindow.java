package io.meterline.billing.period;

import org.bson.BsonReader;
import org.bson.BsonType;
import org.bson.BsonWriter;
import org.bson.codecs.Codec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What closing a period needs of one hourly window ({@code usage_windows}): its series, hour and mergeable state, read
 * with {@link #FIELDS} and decoded by {@link HourlyWindowCodec} straight from the reply's bytes. The driver's POJO
 * codec (reflection, one property accessor per field, the whole {@code UsageWindowDocument}) was a third of
 * billing's CPU per closed period (decision 0096).
 */
final class HourlyWindow {

    /** The fields read: the series, the hour and the mergeable state; not the meter or aggregation (the query's). */
    static final org.bson.conversions.Bson FIELDS = com.mongodb.client.model.Projections.fields(
            com.mongodb.client.model.Projections.excludeId(),
            com.mongodb.client.model.Projections.include("subject", "organization", "groupKey", "group",
                    "windowStart", "eventCount", "sum", "min", "max", "lastTime", "lastValue", "uniques"));

    String subject;
    String organization;
    String groupKey;
    Map<String, String> group = Map.of();
    long windowStart;
    long count;
    double sum;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    long lastTime = Long.MIN_VALUE;
    double lastValue;
    List<String> uniques = List.of();

    /** Decodes the projected fields; ignores any other (a reader of a whole document gets the same result). */
    static final class HourlyWindowCodec implements Codec<HourlyWindow> {

        @Override
        public HourlyWindow decode(BsonReader reader, DecoderContext context) {
            HourlyWindow hour = new HourlyWindow();
            reader.readStartDocument();
            while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
                String name = reader.readName();
                if (reader.getCurrentBsonType() == BsonType.NULL) {
                    reader.readNull();
                    continue;
                }
                switch (name) {
                    case "subject" -> hour.subject = reader.readString();
                    case "organization" -> hour.organization = reader.readString();
                    case "groupKey" -> hour.groupKey = reader.readString();
                    case "group" -> hour.group = readGroup(reader);
                    case "windowStart" -> hour.windowStart = reader.readDateTime();
                    case "eventCount" -> hour.count = readLong(reader);
                    case "sum" -> hour.sum = readDouble(reader);
                    case "min" -> hour.min = readDouble(reader);
                    case "max" -> hour.max = readDouble(reader);
                    case "lastTime" -> hour.lastTime = readLong(reader);
                    case "lastValue" -> hour.lastValue = readDouble(reader);
                    case "uniques" -> hour.uniques = readStrings(reader);
                    default -> reader.skipValue();
                }
            }
            reader.readEndDocument();
            return hour;
        }

        private static Map<String, String> readGroup(BsonReader reader) {
            reader.readStartDocument();
            Map<String, String> group = null;
            while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
                if (group == null) {
                    group = new LinkedHashMap<>();
                }
                String key = reader.readName();
                group.put(key, reader.readString());
            }
            reader.readEndDocument();
            return group == null ? Map.of() : group;
        }

        private static List<String> readStrings(BsonReader reader) {
            reader.readStartArray();
            List<String> values = null;
            while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
                if (values == null) {
                    values = new ArrayList<>();
                }
                values.add(reader.readString());
            }
            reader.readEndArray();
            return values == null ? List.of() : values;
        }

        private static long readLong(BsonReader reader) {
            return switch (reader.getCurrentBsonType()) {
                case INT32 -> reader.readInt32();
                case INT64 -> reader.readInt64();
                case DOUBLE -> (long) reader.readDouble();
                default -> throw new org.bson.BsonInvalidOperationException(
                        "expected an integer, got " + reader.getCurrentBsonType());
            };
        }

        private static double readDouble(BsonReader reader) {
            return switch (reader.getCurrentBsonType()) {
                case DOUBLE -> reader.readDouble();
                case INT32 -> reader.readInt32();
                case INT64 -> reader.readInt64();
                default -> throw new org.bson.BsonInvalidOperationException(
                        "expected a number, got " + reader.getCurrentBsonType());
            };
        }

        @Override
        public void encode(BsonWriter writer, HourlyWindow value, EncoderContext context) {
            throw new UnsupportedOperationException("hourly windows are written by aggregation, never from here");
        }

        @Override
        public Class<HourlyWindow> getEncoderClass() {
            return HourlyWindow.class;
        }
    }
}
