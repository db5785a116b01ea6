package io.meterline.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CliArgsTests {

    @AfterEach
    void resetPorts() {
        Ports.offset(0);
    }

    @Test
    void noArgumentsMeansHelp() {
        CliArgs args = CliArgs.parse(List.of(), Map.of());
        assertThat(args.command()).isEqualTo("help");
        assertThat(args.rest()).isEmpty();
        assertThat(args.portOffset()).isZero();
    }

    @Test
    void commandAndItsArgumentsKeepTheirOrder() {
        CliArgs args = CliArgs.parse(List.of("bench", "ingest", "--json", "--events", "1000"), Map.of());
        assertThat(args.command()).isEqualTo("bench");
        assertThat(args.rest()).containsExactly("ingest", "--json", "--events", "1000");
    }

    @Test
    void portOffsetFlagIsTakenAnywhereAndRemoved() {
        assertThat(CliArgs.parse(List.of("--port-offset", "100", "demo"), Map.of()))
                .isEqualTo(new CliArgs("demo", List.of(), 100));
        assertThat(CliArgs.parse(List.of("bench", "report", "--port-offset=7", "--json"), Map.of()))
                .isEqualTo(new CliArgs("bench", List.of("report", "--json"), 7));
    }

    @Test
    void environmentGivesTheOffsetAndTheFlagWins() {
        assertThat(CliArgs.parse(List.of("up"), Map.of("METERLINE_PORT_OFFSET", "200")).portOffset()).isEqualTo(200);
        assertThat(CliArgs.parse(List.of("up", "--port-offset", "300"), Map.of("METERLINE_PORT_OFFSET", "200"))
                .portOffset()).isEqualTo(300);
    }

    @Test
    void badOffsetsAreRefusedNamingWhereTheyCameFrom() {
        assertThatThrownBy(() -> CliArgs.parse(List.of("up", "--port-offset"), Map.of()))
                .hasMessageContaining("--port-offset needs a number");
        assertThatThrownBy(() -> CliArgs.parse(List.of("up", "--port-offset", "ten"), Map.of()))
                .hasMessageContaining("--port-offset must be a whole number");
        assertThatThrownBy(() -> CliArgs.parse(List.of("up"), Map.of("METERLINE_PORT_OFFSET", "-1")))
                .hasMessageContaining("METERLINE_PORT_OFFSET must be between 0 and");
        assertThatThrownBy(() -> CliArgs.parse(List.of("up", "--port-offset", "40000"), Map.of()))
                .hasMessageContaining("between 0 and 30000");
    }

    @Test
    void offsetShiftsEveryLocalPortByTheSameAmount() {
        Ports.offset(100);
        assertThat(List.of(Ports.kafka(), Ports.mongo(), Ports.stripe(), Ports.service("ingest"),
                Ports.service("billing"), Ports.service("webhook")))
                .containsExactly(9192, 27118, 12211, 8181, 8182, 8183);
        assertThatThrownBy(() -> Ports.service("nope")).isInstanceOf(IllegalArgumentException.class);
    }
}
