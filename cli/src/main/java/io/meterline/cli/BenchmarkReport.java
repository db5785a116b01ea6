package io.meterline.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last line every {@code ./meterline bench NAME --json} prints: one JSON object with the benchmark's own fields
 * plus the machine it ran on ({@code benchmark}, {@code load_avg_start} from {@code /proc/loadavg}, {@code cores}).
 */
public final class BenchmarkReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchmarkReport() {
    }

    /** The 1-minute load average now, or null where {@code /proc/loadavg} does not exist. */
    public static Double loadAverage(Path procLoadavg) {
        try {
            return Double.parseDouble(Files.readString(procLoadavg).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The benchmark's fields, with the machine's added where the benchmark did not set them. */
    public static Map<String, Object> withMachine(String name, Map<String, Object> result, Double loadAvgStart, int cores) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", name);
        out.putAll(result);
        out.putIfAbsent("load_avg_start", loadAvgStart);
        out.putIfAbsent("cores", cores);
        return out;
    }

    /** One line of JSON, nothing else. */
    public static String line(Map<String, Object> report) {
        try {
            return JSON.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("benchmark result is not JSON-serialisable", e);
        }
    }
}
