package io.meterline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BenchmarkReportTests {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void lastLineIsOneJsonObjectWithTheBenchmarkAndMachineFields() throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("events", 1_000_000);
        result.put("events_per_second", 1714.5);
        result.put("exact", true);
        result.put("phases", List.of(Map.of("name", "load", "seconds", 12)));

        String line = BenchmarkReport.line(BenchmarkReport.withMachine("aggregate", result, 3.25, 2));

        assertThat(line).doesNotContain("\n");
        JsonNode json = JSON.readTree(line);
        assertThat(json.isObject()).isTrue();
        assertThat(json.get("benchmark").asText()).isEqualTo("aggregate");
        assertThat(json.get("events").asLong()).isEqualTo(1_000_000);
        assertThat(json.get("events_per_second").asDouble()).isEqualTo(1714.5);
        assertThat(json.get("exact").asBoolean()).isTrue();
        assertThat(json.get("phases").get(0).get("name").asText()).isEqualTo("load");
        assertThat(json.get("load_avg_start").asDouble()).isEqualTo(3.25);
        assertThat(json.get("cores").asInt()).isEqualTo(2);
    }

    @Test
    void machineFieldsTheBenchmarkMeasuredItselfAreKept() throws Exception {
        Map<String, Object> result = Map.of("cores", 8, "load_avg_start", 0.5);
        JsonNode json = JSON.readTree(BenchmarkReport.line(BenchmarkReport.withMachine("ingest", result, 3.0, 2)));
        assertThat(json.get("cores").asInt()).isEqualTo(8);
        assertThat(json.get("load_avg_start").asDouble()).isEqualTo(0.5);
    }

    @Test
    void loadAverageIsTheFirstFieldOfProcLoadavg(@TempDir Path dir) throws Exception {
        Path loadavg = Files.writeString(dir.resolve("loadavg"), "33.86 27.38 14.39 12/2345 6789\n");
        assertThat(BenchmarkReport.loadAverage(loadavg)).isEqualTo(33.86);
        assertThat(BenchmarkReport.loadAverage(dir.resolve("absent"))).isNull();
    }
}
