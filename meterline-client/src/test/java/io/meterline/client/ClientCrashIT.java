package io.meterline.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A producer process records events while Meterline is unreachable and is killed with {@code kill -9}; a new process
 * on the same spool, with Meterline back, delivers every one of them — once each by (source, id).
 */
class ClientCrashIT {

    static final int EVENTS = 20_000;

    @TempDir
    Path spool;

    @Test
    void killedClientWithASpoolReplaysEveryEventAfterRestart() throws Exception {
        String source = "client-crash-it";
        try (IngestFixture fixture = new IngestFixture("client-crash")) {
            // the ingest port is chosen but nothing listens yet: Meterline is unreachable
            Process producer = producer("record", fixture, source, String.valueOf(EVENTS));
            String line = firstLine(producer);
            assertThat(line).startsWith("RECORDED " + EVENTS);
            assertThat(spoolBytes()).as("spool on disk").isPositive();
            producer.destroyForcibly();
            assertThat(producer.waitFor(30, TimeUnit.SECONDS)).isTrue();

            fixture.ingest.start();
            Process replay = producer("drain", fixture, source);
            String drained = firstLine(replay);
            assertThat(replay.waitFor(3, TimeUnit.MINUTES)).isTrue();
            assertThat(drained).startsWith("DRAINED true sent=" + EVENTS);

            Map<String, Integer> counts = fixture.countsBySourceAndId();
            assertThat(counts).hasSize(EVENTS);
            for (int n = 0; n < EVENTS; n++) {
                assertThat(counts).containsKey(source + "|crash-" + n);
            }
        }
    }

    private Process producer(String mode, IngestFixture fixture, String source, String... more) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), SpoolingProducer.class.getName(), mode,
                fixture.ingest.uri("").toString(), IngestFixture.writerToken(), source, spool.toString()));
        command.addAll(List.of(more));
        Path log = Path.of("target", "child-logs", "producer-" + mode + ".err");
        Files.createDirectories(log.getParent());
        return new ProcessBuilder(command).redirectError(log.toFile()).start();
    }

    /** The first line the process prints (it prints one when its phase is done), within five minutes. */
    private static String firstLine(Process process) throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(5, TimeUnit.MINUTES);
    }

    private long spoolBytes() throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(path -> path.toString().endsWith(".spool")).mapToLong(path -> path.toFile().length()).sum();
        }
    }
}
