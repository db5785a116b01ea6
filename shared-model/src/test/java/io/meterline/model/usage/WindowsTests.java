package io.meterline.model.usage;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class WindowsTests {

    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @Test
    void hourStartTruncatesToTheUtcHour() {
        assertThat(Windows.hourStart(Instant.parse("2026-03-01T10:59:59.999Z")))
                .isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(Windows.hourStartMillis(Instant.parse("2026-03-01T10:00:00Z").toEpochMilli() + 1))
                .isEqualTo(Instant.parse("2026-03-01T10:00:00Z").toEpochMilli());
    }

    @Test
    void hourStartMillisRoundsDownBeforeTheEpoch() {
        assertThat(Windows.hourStartMillis(-1)).isEqualTo(-Windows.HOUR_MILLIS);
    }

    @Test
    void dayStartsAtLocalMidnightOfTheZone() {
        Instant lateEveningUtc = Instant.parse("2026-06-10T22:30:00Z"); // 00:30 on the 11th in Paris (UTC+2)
        assertThat(Windows.start(lateEveningUtc, WindowSize.DAY, ZoneOffset.UTC))
                .isEqualTo(Instant.parse("2026-06-10T00:00:00Z"));
        assertThat(Windows.start(lateEveningUtc, WindowSize.DAY, PARIS))
                .isEqualTo(Instant.parse("2026-06-10T22:00:00Z"));
        assertThat(Windows.end(lateEveningUtc, WindowSize.DAY, PARIS))
                .isEqualTo(Instant.parse("2026-06-11T22:00:00Z"));
    }

    @Test
    void dayOfSpringForwardLasts23Hours() {
        Instant duringChange = Instant.parse("2026-03-08T12:00:00Z");
        Instant start = Windows.start(duringChange, WindowSize.DAY, NEW_YORK);
        Instant end = Windows.end(duringChange, WindowSize.DAY, NEW_YORK);
        assertThat(start).isEqualTo(Instant.parse("2026-03-08T05:00:00Z"));
        assertThat(Duration.between(start, end)).isEqualTo(Duration.ofHours(23));
    }

    @Test
    void weekStartsOnMonday() {
        Instant sunday = Instant.parse("2026-11-22T15:00:00Z");
        assertThat(Windows.start(sunday, WindowSize.WEEK, ZoneOffset.UTC)).isEqualTo(Instant.parse("2026-11-16T00:00:00Z"));
        assertThat(Windows.end(sunday, WindowSize.WEEK, ZoneOffset.UTC)).isEqualTo(Instant.parse("2026-11-23T00:00:00Z"));
    }

    @Test
    void monthAndYearFollowTheCalendarOfTheZone() {
        Instant lastHourOfJanuaryUtc = Instant.parse("2026-01-31T23:30:00Z"); // already February 1st in Paris
        assertThat(Windows.start(lastHourOfJanuaryUtc, WindowSize.MONTH, ZoneOffset.UTC))
                .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(Windows.start(lastHourOfJanuaryUtc, WindowSize.MONTH, PARIS))
                .isEqualTo(Instant.parse("2026-01-31T23:00:00Z"));
        assertThat(Windows.end(lastHourOfJanuaryUtc, WindowSize.MONTH, ZoneOffset.UTC))
                .isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
        assertThat(Windows.start(lastHourOfJanuaryUtc, WindowSize.YEAR, ZoneOffset.UTC))
                .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(Windows.end(lastHourOfJanuaryUtc, WindowSize.YEAR, ZoneOffset.UTC))
                .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    }

    @Test
    void hourWindowsStayUtcHoursInAnyZone() {
        Instant time = Instant.parse("2026-01-31T23:45:00Z");
        assertThat(Windows.start(time, WindowSize.HOUR, ZoneId.of("Asia/Kolkata"))).isEqualTo(Instant.parse("2026-01-31T23:00:00Z"));
        assertThat(Windows.end(time, WindowSize.HOUR, ZoneId.of("Asia/Kolkata"))).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
    }

    @Test
    void windowIsClosedOnlyAfterItsEndPlusGrace() {
        Instant end = Instant.parse("2026-01-01T01:00:00Z");
        assertThat(Windows.closed(end, end.minusMillis(1), 0)).isFalse();
        assertThat(Windows.closed(end, end, 0)).isTrue();
        assertThat(Windows.closed(end, end.plusSeconds(30), 60_000)).isFalse();
    }

    @Test
    void windowSizeParsesAnyCase() {
        assertThat(WindowSize.parse("Day")).isEqualTo(WindowSize.DAY);
        assertThat(WindowSize.parse("fortnight")).isNull();
    }
}
