package io.meterline.billing.period;

import io.meterline.billing.period.PeriodCalendar.Period;
import io.meterline.model.usage.WindowSize;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PeriodCalendarTests {

    static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    static PeriodCalendar calendar(Duration grace) {
        Map<WindowSize, Duration> lookbacks = new EnumMap<>(WindowSize.class);
        lookbacks.put(WindowSize.HOUR, Duration.ofDays(7));
        lookbacks.put(WindowSize.DAY, Duration.ofDays(30));
        lookbacks.put(WindowSize.WEEK, Duration.ofDays(60));
        lookbacks.put(WindowSize.MONTH, Duration.ofDays(90));
        lookbacks.put(WindowSize.YEAR, Duration.ofDays(365));
        return new PeriodCalendar(List.of(WindowSize.HOUR, WindowSize.DAY, WindowSize.MONTH),
                Map.of("calls", List.of(WindowSize.WEEK)), ZoneOffset.UTC, Map.of("acme", PARIS), grace, lookbacks);
    }

    @Test
    void springForwardDayInParisLasts23Hours() {
        Period day = PeriodCalendar.containing(Instant.parse("2026-03-29T12:00:00Z"), WindowSize.DAY, PARIS);
        assertThat(day.start()).isEqualTo(Instant.parse("2026-03-28T23:00:00Z"));
        assertThat(Duration.between(day.start(), day.end())).isEqualTo(Duration.ofHours(23));
    }

    @Test
    void fallBackDayInParisLasts25Hours() {
        Period day = PeriodCalendar.containing(Instant.parse("2026-10-25T12:00:00Z"), WindowSize.DAY, PARIS);
        assertThat(day.start()).isEqualTo(Instant.parse("2026-10-24T22:00:00Z"));
        assertThat(Duration.between(day.start(), day.end())).isEqualTo(Duration.ofHours(25));
    }

    @Test
    void weeksStartOnMondayInTheCustomersZone() {
        // Sunday 2026-11-29 23:30 UTC is already Monday 00:30 in Paris
        Period week = PeriodCalendar.containing(Instant.parse("2026-11-29T23:30:00Z"), WindowSize.WEEK, PARIS);
        assertThat(week.start()).isEqualTo(Instant.parse("2026-11-29T23:00:00Z"));
        assertThat(week.start().atZone(PARIS).getDayOfWeek()).isEqualTo(DayOfWeek.MONDAY);
        assertThat(Duration.between(week.start(), week.end())).isEqualTo(Duration.ofDays(7));
        Period utcWeek = PeriodCalendar.containing(Instant.parse("2026-11-29T23:30:00Z"), WindowSize.WEEK, ZoneOffset.UTC);
        assertThat(utcWeek.start()).isEqualTo(Instant.parse("2026-11-23T00:00:00Z"));
    }

    @Test
    void aPeriodIsCompleteOnlyOnceItsEndPlusTheGraceHasPassed() {
        PeriodCalendar calendar = calendar(Duration.ofHours(1));
        Period hour = PeriodCalendar.containing(Instant.parse("2026-11-20T10:15:00Z"), WindowSize.HOUR, ZoneOffset.UTC);
        assertThat(calendar.complete(hour, Instant.parse("2026-11-20T11:59:59Z"))).isFalse();
        assertThat(calendar.complete(hour, Instant.parse("2026-11-20T12:00:00Z"))).isTrue();
        assertThat(calendar.completesAt(hour)).isEqualTo(Instant.parse("2026-11-20T12:00:00Z"));
    }

    @Test
    void customersHaveTheirOwnZoneAndMetersTheirOwnSizes() {
        PeriodCalendar calendar = calendar(Duration.ofHours(1));
        assertThat(calendar.zoneFor("acme")).isEqualTo(PARIS);
        assertThat(calendar.zoneFor("globex")).isEqualTo(ZoneOffset.UTC);
        assertThat(calendar.sizesFor("calls")).containsExactly(WindowSize.WEEK);
        assertThat(calendar.sizesFor("other")).containsExactly(WindowSize.HOUR, WindowSize.DAY, WindowSize.MONTH);
    }

    @Test
    void completePeriodsStopAtTheFirstOpenOneAndStayInsideTheLookback() {
        PeriodCalendar calendar = calendar(Duration.ofHours(1));
        Instant now = Instant.parse("2026-11-29T00:30:00Z");
        List<Period> days = calendar.completePeriods(WindowSize.DAY, ZoneOffset.UTC,
                Instant.parse("2026-09-01T00:00:00Z"), Instant.parse("2026-11-29T00:00:00Z"), now, null);
        // 30-day lookback: the first day ending after 2026-10-30T00:30Z; the 28th ended at 00:00 but completes at 01:00
        assertThat(days.get(0).start()).isEqualTo(Instant.parse("2026-10-30T00:00:00Z"));
        assertThat(days.get(days.size() - 1).start()).isEqualTo(Instant.parse("2026-11-27T00:00:00Z"));
        List<Period> later = calendar.completePeriods(WindowSize.DAY, ZoneOffset.UTC,
                Instant.parse("2026-09-01T00:00:00Z"), Instant.parse("2026-11-29T00:00:00Z"),
                Instant.parse("2026-11-29T01:00:00Z"), now);
        assertThat(later).extracting(Period::start).containsExactly(Instant.parse("2026-11-28T00:00:00Z"));
    }

    @Test
    void aGraceLongerThanTheDedupLookbackIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PeriodCalendar.of(new TestPeriodsConfig(Duration.ofDays(40)),
                Duration.ofDays(35))).isInstanceOf(IllegalStateException.class).hasMessageContaining("grace");
    }

    /** Just enough configuration for {@link PeriodCalendar#of}. */
    record TestPeriodsConfig(Duration grace) implements io.meterline.billing.config.PeriodsConfig {
        public List<String> sizes() { return List.of("day"); }
        public Map<String, MeterPeriods> meters() { return Map.of(); }
        public String zone() { return "UTC"; }
        public Map<String, String> customerZones() { return Map.of(); }
        public String catchUpEvery() { return "off"; }
        public Lookbacks lookback() { return null; }
        public Duration changeSlack() { return Duration.ZERO; }
        public int batchSize() { return 1; }
        public int rangeReadSeries() { return 1; }
    }
}
