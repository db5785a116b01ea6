package io.meterline.billing.ops;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UsageChartTests {

    @Test
    void eachHourIsABarAndReportedHoursCarryAStripeMark() {
        Instant h = Instant.parse("2026-11-29T10:00:00Z");
        String svg = UsageChart.svg("calls for acme", List.of(new UsageChart.Hour(h, 10, 10L),
                new UsageChart.Hour(h.plusSeconds(3600), 4, null)));
        assertThat(svg).startsWith("<svg").endsWith("</svg>").contains("<title>calls for acme</title>");
        assertThat(svg.split("class=\"counted\"", -1)).hasSize(3);
        assertThat(svg.split("class=\"reported\"", -1)).hasSize(2);
        assertThat(svg).contains("10:00 counted 10, Stripe 10").contains("11:00 counted 4, not reported");
    }

    @Test
    void labelsAreEscapedSoASubjectCannotInjectMarkup() {
        String svg = UsageChart.svg("<script>alert(1)</script>", List.of());
        assertThat(svg).doesNotContain("<script>").contains("&lt;script&gt;").contains("no usage in this range");
    }
}
