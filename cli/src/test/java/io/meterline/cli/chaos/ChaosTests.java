package io.meterline.cli.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterline.cli.BenchmarkReport;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChaosTests {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void withoutOptionsTheSeedIsTheGivenDefaultAndTheRunIsFull() {
        ChaosArgs args = ChaosArgs.parse(List.of(), 42);
        assertThat(args).isEqualTo(new ChaosArgs(42, false));
        assertThat(args.kills()).isGreaterThan(ChaosArgs.MIN_KILLS);
    }

    @Test
    void seedQuickAndJsonAreTakenInAnyOrder() {
        assertThat(ChaosArgs.parse(List.of("--json", "--seed", "7", "--quick"), 1)).isEqualTo(new ChaosArgs(7, true));
        assertThat(ChaosArgs.parse(List.of("--seed=-3"), 1)).isEqualTo(new ChaosArgs(-3, false));
    }

    @Test
    void quickRunsStillKillBillingAtLeastFiveTimesPerScenarioAndStopMongoForThirtySeconds() {
        ChaosArgs quick = ChaosArgs.parse(List.of("--quick"), 1);
        assertThat(quick.kills()).isGreaterThanOrEqualTo(5);
        assertThat(quick.mongoOutage().toSeconds()).isEqualTo(30);
    }

    @Test
    void badOptionsAreRefusedWithTheOptionNamed() {
        assertThatThrownBy(() -> ChaosArgs.parse(List.of("--seed"), 1)).hasMessageContaining("--seed needs a number");
        assertThatThrownBy(() -> ChaosArgs.parse(List.of("--seed", "abc"), 1)).hasMessageContaining("whole number: abc");
        assertThatThrownBy(() -> ChaosArgs.parse(List.of("--fast"), 1)).hasMessageContaining("'--fast'");
    }

    @Test
    void resultLineHasTheIssuesFieldsAndPassesOnlyWhenEveryScenarioHeld() throws Exception {
        ChaosReport report = new ChaosReport();
        report.add(new ChaosReport.Scenario("broker_restart_during_ingest", 1, 500, 0, 0, 0, 0, 12.34, null));
        report.add(new ChaosReport.Scenario("billing_kill9_during_aggregation", 5, 900, 0, 0, 0, 0, 80, null));
        JsonNode line = JSON.readTree(BenchmarkReport.line(report.toMap(99, 0.5, 2, 100)));

        assertThat(report.passed()).isTrue();
        assertThat(line.fieldNames()).toIterable().startsWith("scenarios", "faults_injected", "events_acknowledged",
                "lost", "double_counted", "stripe_mismatches");
        assertThat(line.path("scenarios").asInt()).isEqualTo(2);
        assertThat(line.path("faults_injected").asLong()).isEqualTo(6);
        assertThat(line.path("events_acknowledged").asLong()).isEqualTo(900);
        assertThat(line.path("seed").asLong()).isEqualTo(99);
        assertThat(line.path("load_avg_start").asDouble()).isEqualTo(0.5);
        assertThat(line.path("cores").asInt()).isEqualTo(2);
        assertThat(line.path("passed").asBoolean()).isTrue();
        assertThat(line.path("results").get(0).path("seconds").asDouble()).isEqualTo(12.3);
        assertThat(line.path("results").get(0).has("error")).isFalse();
    }

    @Test
    void anyLostDoubleCountedMismatchOrErrorFailsTheRun() {
        List<ChaosReport.Scenario> failing = List.of(
                new ChaosReport.Scenario("a", 1, 10, 1, 0, 0, 0, 1, null),
                new ChaosReport.Scenario("b", 1, 10, 0, 1, 0, 0, 1, null),
                new ChaosReport.Scenario("c", 1, 10, 0, 0, 1, 0, 1, null),
                new ChaosReport.Scenario("d", 1, 10, 0, 0, 0, 1, 1, null),
                new ChaosReport.Scenario("e", 1, 10, 0, 0, 0, 0, 1, "broker did not restart"));
        for (ChaosReport.Scenario scenario : failing) {
            ChaosReport report = new ChaosReport();
            report.add(new ChaosReport.Scenario("ok", 1, 5, 0, 0, 0, 0, 1, null));
            report.add(scenario);
            assertThat(report.passed()).as(scenario.name()).isFalse();
            assertThat(report.toMap(1, null, 2, 1)).containsEntry("passed", false);
        }
    }

    @Test
    void worstCumulativeCountsAreReportedNotTheirSum() {
        ChaosReport report = new ChaosReport();
        report.add(new ChaosReport.Scenario("first", 1, 100, 2, 0, 1, 0, 1, null));
        report.add(new ChaosReport.Scenario("second", 1, 200, 2, 0, 1, 0, 1, null));
        Map<String, Object> line = report.toMap(1, null, 2, 1);
        assertThat(line).containsEntry("lost", 2L).containsEntry("stripe_mismatches", 1L)
                .containsEntry("events_acknowledged", 200L);
    }

    @Test
    void aRunWithNoScenarioDoesNotPass() {
        assertThat(new ChaosReport().passed()).isFalse();
    }
}
