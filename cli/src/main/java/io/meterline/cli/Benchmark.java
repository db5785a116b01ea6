package io.meterline.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One {@code ./meterline bench NAME}. Implementations live in {@code io.meterline.cli.bench} and are named
 * {@code <Name>Benchmark} (e.g. {@code IngestBenchmark} for {@code bench ingest}); they start what they need
 * through {@link Stack}, print progress to stderr, and return the fields of the one JSON object printed last.
 */
public interface Benchmark {

    /**
     * @param home the repository root (packaged services live under it)
     * @param args arguments after the benchmark name, {@code --json} removed
     */
    Map<String, Object> run(Path home, List<String> args) throws Exception;
}
