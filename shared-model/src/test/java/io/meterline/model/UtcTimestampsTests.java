package io.meterline.model;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class UtcTimestampsTests {

    @Test
    void theFastPathReadsEveryCommonUtcTimeAsTheGeneralParserDoes() {
        Random random = new Random(14);
        for (int i = 0; i < 20_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 253_000_000_000L),
                    random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
            String text = instant.toString();
            assertThat(UtcTimestamps.parseUtc(text)).as(text).isEqualTo(general(text));
        }
    }

    @Test
    void theFastPathNeverAcceptsWhatTheGeneralParserRefusesNorReadsItDifferently() {
        List<String> texts = new ArrayList<>(List.of("2026-02-29T10:00:00Z", "2024-02-29T10:00:00Z",
                "2026-04-31T10:00:00Z", "2026-13-01T10:00:00Z", "2026-00-01T10:00:00Z", "2026-01-00T10:00:00Z",
                "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z", "2026-01-01T23:59:60Z", "2026-01-01T10:00Z",
                "2026-01-01t10:00:00Z", "2026-01-01T10:00:00z", "2026-01-01T10:00:00.Z", "2026-01-01T10:00:00.1Z",
                "2026-01-01T10:00:00.123456789Z", "2026-01-01T10:00:00.1234567890Z", "2026-01-01T10:00:00+00:00",
                "2026-01-01T10:00:00+01:00", "2026-01-01 10:00:00Z", "+2026-01-01T10:00:00Z", "0000-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999999999Z", "2026-1-01T10:00:00Z", "2026-01-01T10:00:0xZ", "２026-01-01T10:00:00Z",
                "2026-01-01T10:00:00.12a4Z", "", "Z", "2026-01-01T10:00:00ZZ"));
        Random random = new Random(7);
        String alphabet = "0123456789-:TZ.+tz ";
        for (int i = 0; i < 50_000; i++) {
            char[] text = "2026-06-15T12:30:45.123Z".toCharArray();
            for (int changes = 1 + random.nextInt(3); changes > 0; changes--) {
                text[random.nextInt(text.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
            }
            texts.add(new String(text));
        }
        for (String text : texts) {
            Instant fast = UtcTimestamps.parseUtc(text);
            if (fast != null) {
                assertThat(fast).as(text).isEqualTo(general(text));
            }
        }
        assertThat(UtcTimestamps.parseUtc("2026-02-29T10:00:00Z")).isNull();
        assertThat(UtcTimestamps.parseUtc("2026-01-01T23:59:60Z")).isNull();
    }

    @Test
    void formattingWritesWhatInstantToStringWrites() {
        Random random = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            int nanos = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(random.nextLong(-70_000_000_000L, 260_000_000_000L), nanos);
            assertThat(UtcTimestamps.format(instant)).isEqualTo(instant.toString());
        }
    }

    private static Instant general(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
