package io.meterline.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UsageEventJsonTests {

    @Test
    void recordValuesAreByteForByteWhatTheMapperWritesForTheEvent() throws Exception {
        ObjectNode rich = (ObjectNode) UsageEventJson.parseTree(("{\"units\":1.50,\"big\":1e3,\"neg\":-0.000000001,"
                + "\"int\":123456789012345,\"text\":\"a\\\"b\\\\c\\n\\u0001é😀\",\"nested\":{\"list\":[1,\"2\",null,true,"
                + "{\"x\":[]}],\"empty\":{}},\"none\":null}").getBytes());
        List<UsageEvent> events = List.of(
                new UsageEvent("e-1", "api-gateway", "api.request", "acme", Instant.parse("2026-03-01T12:00:00Z"),
                        null, null),
                new UsageEvent("e-\"2\"\\", "src/é", "call.completed", "Ωmega 😀", Instant.parse(
                        "2026-03-01T12:00:00.120Z"), rich, "org-9"),
                new UsageEvent("e-3", "s", "t", "u", Instant.ofEpochSecond(1_700_000_000L, 123_456_789), rich, null),
                new UsageEvent("e-4", "s", "t", "u", Instant.ofEpochSecond(1_700_000_000L, 5_000), rich, "o"));
        for (UsageEvent event : events) {
            assertThat(new String(UsageEventJson.toBytes(event), "UTF-8"))
                    .isEqualTo(new String(UsageEventJson.mapper().writeValueAsBytes(event), "UTF-8"));
            assertThat(UsageEventJson.toBytes(event)).isEqualTo(UsageEventJson.mapper().writeValueAsBytes(event));
            assertThat(UsageEventJson.toBytes(event, event.data().toString()))
                    .isEqualTo(UsageEventJson.mapper().writeValueAsBytes(event));
        }
    }

    @Test
    void dataWithAnyCharactersIsWrittenAsTheMapperWritesIt() throws Exception {
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < 3_000; i++) {
            ObjectNode data = UsageEventJson.mapper().createObjectNode();
            StringBuilder text = new StringBuilder();
            for (int c = random.nextInt(12); c > 0; c--) {
                int codePoint = switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(0x100);
                    case 1 -> random.nextInt(0x10000);
                    case 2 -> 0x10000 + random.nextInt(0x100000);
                    default -> 0x20 + random.nextInt(0x60);
                };
                text.appendCodePoint(codePoint);
            }
            data.put(text.toString(), text.toString()).putArray("a").add(text.toString()).add(random.nextDouble());
            UsageEvent event = new UsageEvent("e", "s", "t", "u", Instant.ofEpochSecond(1_700_000_000L), data, null);
            assertThat(UsageEventJson.toBytes(event, data.toString()))
                    .isEqualTo(UsageEventJson.mapper().writeValueAsBytes(event));
        }
    }

    @Test
    void theValidatorHandsOnTheDataItMeasuredAsTheMapperWritesIt() throws Exception {
        UsageEventValidator validator = new UsageEventValidator(java.time.Clock.systemUTC(),
                UsageEventValidator.DEFAULT_LOOKBACK);
        String time = Instant.now().minusSeconds(60).toString();
        for (String data : List.of("{}", "{\"units\":1.50,\"e\":2E+3,\"s\":\"é\\u00e9\\\"\",\"l\":[1,{\"a\":null}]}")) {
            UsageEventValidator.Result result = validator.validate(UsageEventJson.parseTree(("{\"id\":\"1\","
                    + "\"source\":\"s\",\"type\":\"t\",\"subject\":\"u\",\"time\":\"" + time + "\",\"data\":" + data
                    + "}").getBytes("UTF-8")));
            assertThat(result.valid()).isTrue();
            assertThat(UsageEventJson.toBytes(result.event(), result.dataJson()))
                    .isEqualTo(UsageEventJson.mapper().writeValueAsBytes(result.event()));
        }
    }

    @Test
    void eventsWithAnyTextFieldsAreWrittenAsTheMapperWritesThem() throws Exception {
        java.util.Random random = new java.util.Random(29);
        for (int i = 0; i < 20_000; i++) {
            ObjectNode data = UsageEventJson.mapper().createObjectNode();
            if (random.nextBoolean()) {
                data.put(text(random), text(random)).put("units", random.nextInt(1000)).putArray("l").add(text(random));
            }
            UsageEvent event = new UsageEvent(text(random), text(random), text(random), text(random),
                    Instant.ofEpochSecond(1_600_000_000L + random.nextInt(200_000_000), random.nextInt(3) == 0 ? 0
                            : random.nextInt(1_000_000_000)), data, random.nextBoolean() ? null : text(random));
            assertThat(UsageEventJson.toBytes(event, data.toString()))
                    .as("event %s", event)
                    .isEqualTo(UsageEventJson.mapper().writeValueAsBytes(event));
        }
    }

    @Test
    void plainEventsAreWrittenStraightIntoTheRecordValue() throws Exception {
        ObjectNode data = (ObjectNode) UsageEventJson.parseTree("{\"units\":3,\"region\":\"eu-west\",\"é\":\"ü\"}"
                .getBytes("UTF-8"));
        for (String organization : java.util.Arrays.asList(null, "org-1", "")) {
            UsageEvent event = new UsageEvent("evt-0001", "api-gateway/eu", "api.request", "customer-42 ~!#$%&'()*+,-./",
                    Instant.parse("2026-03-01T12:00:00.120Z"), data, organization);
            assertThat(PlainRecord.bytes(event, data.toString()))
                    .isEqualTo(UsageEventJson.mapper().writeValueAsBytes(event));
        }
        UsageEvent quoted = new UsageEvent("a\"b", "s", "t", "u", Instant.EPOCH, data, null);
        assertThat(PlainRecord.bytes(quoted, data.toString())).isNull();
        assertThat(UsageEventJson.toBytes(quoted, data.toString()))
                .isEqualTo(UsageEventJson.mapper().writeValueAsBytes(quoted));
    }

    /** Mostly plain text, sometimes with characters that need escaping or are not ASCII, sometimes empty. */
    private static String text(java.util.Random random) {
        StringBuilder text = new StringBuilder();
        boolean plainOnly = random.nextInt(3) > 0;
        for (int c = random.nextInt(16); c > 0; c--) {
            int codePoint = plainOnly ? 0x20 + random.nextInt(0x5F) : switch (random.nextInt(5)) {
                case 0 -> random.nextInt(0x80);
                case 1 -> random.nextInt(0x800);
                case 2 -> random.nextInt(0xD800);
                case 3 -> 0x10000 + random.nextInt(0x100000);
                default -> "\"\\/\u007f\u0000\n".charAt(random.nextInt(6));
            };
            text.appendCodePoint(codePoint);
        }
        return text.toString();
    }
}
