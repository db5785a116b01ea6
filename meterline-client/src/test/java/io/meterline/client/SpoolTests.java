package io.meterline.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class SpoolTests {

    @TempDir
    Path dir;

    private static byte[] event(int n) {
        return ("{\"id\":\"e-" + n + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(List<Spool.Entry> entries) {
        return entries.stream().map(entry -> new String(entry.payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void eventsAreReadInOrderAndUncommittedOnesAreReplayedAfterReopening() throws Exception {
        try (Spool spool = new Spool(dir, 1 << 20, 64, FsyncPolicy.NEVER)) {
            for (int n = 0; n < 10; n++) {
                spool.tryAppend(event(n));
            }
            List<Spool.Entry> first = spool.next(4, Duration.ZERO, Duration.ZERO);
            assertThat(texts(first)).containsExactly("{\"id\":\"e-0\"}", "{\"id\":\"e-1\"}", "{\"id\":\"e-2\"}",
                    "{\"id\":\"e-3\"}");
            spool.commit(first.get(3).end(), 4);
            spool.next(3, Duration.ZERO, Duration.ZERO); // read, never answered: must come back
            assertThat(spool.pending()).isEqualTo(6);
        }
        try (Spool reopened = new Spool(dir, 1 << 20, 64, FsyncPolicy.NEVER)) {
            assertThat(reopened.pending()).isEqualTo(6);
            assertThat(texts(reopened.next(100, Duration.ZERO, Duration.ZERO))).first().isEqualTo("{\"id\":\"e-4\"}");
        }
    }

    @Test
    void answeredSegmentsAreDeleted() throws Exception {
        try (Spool spool = new Spool(dir, 1 << 20, 64, FsyncPolicy.NEVER)) {
            for (int n = 0; n < 50; n++) {
                spool.tryAppend(event(n));
            }
            assertThat(segments()).hasSizeGreaterThan(5);
            List<Spool.Entry> all = spool.next(50, Duration.ZERO, Duration.ZERO);
            spool.commit(all.get(49).end(), 50);
            assertThat(segments()).hasSize(1);
            assertThat(spool.pending()).isZero();
            assertThat(spool.pendingBytes()).isZero();
        }
    }

    @Test
    void aTornRecordAtTheTailIsCutOffAndTheRestKept() throws Exception {
        try (Spool spool = new Spool(dir, 1 << 20, 1 << 20, FsyncPolicy.NEVER)) {
            spool.tryAppend(event(1));
            spool.tryAppend(event(2));
        }
        Path segment = segments().get(0);
        // a process killed in the middle of a write: a header promising more bytes than there are
        Files.write(segment, new byte[] {0, 0, 0, 100, 1, 2, 3, 4, '{'}, StandardOpenOption.APPEND);
        try (Spool reopened = new Spool(dir, 1 << 20, 1 << 20, FsyncPolicy.NEVER)) {
            assertThat(reopened.pending()).isEqualTo(2);
            reopened.tryAppend(event(3));
            assertThat(texts(reopened.next(10, Duration.ZERO, Duration.ZERO)))
                    .containsExactly("{\"id\":\"e-1\"}", "{\"id\":\"e-2\"}", "{\"id\":\"e-3\"}");
        }
    }

    @Test
    void aFullSpoolRefusesUntilEventsAreAnswered() throws Exception {
        try (Spool spool = new Spool(dir, 50, 1 << 20, FsyncPolicy.NEVER)) {
            assertThat(spool.tryAppend(event(1))).isTrue();
            assertThat(spool.tryAppend(event(2))).isTrue();
            assertThat(spool.tryAppend(event(3))).isFalse();
            List<Spool.Entry> entries = spool.next(1, Duration.ZERO, Duration.ZERO);
            spool.commit(entries.get(0).end(), 1);
            assertThat(spool.tryAppend(event(3))).isTrue();
        }
    }

    @Test
    void aSecondClientOnTheSameDirectoryIsRefused() {
        try (Spool spool = new Spool(dir, 1 << 20, 1 << 20, FsyncPolicy.NEVER)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Spool(dir, 1 << 20, 1 << 20, FsyncPolicy.NEVER))
                    .hasMessageContaining("in use");
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(path -> path.toString().endsWith(".spool")).sorted().toList();
        }
    }
}
