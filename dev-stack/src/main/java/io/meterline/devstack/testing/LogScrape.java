package io.meterline.devstack.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads what a service under test wrote to its log file since a mark, to prove that hostile input left no ERROR
 * line. The services' test profile writes {@code target/service.log} with the level in the second column
 * ({@code quarkus.log.file.format=%d{HH:mm:ss,SSS} %-5p [%c] %s%e%n}).
 */
public final class LogScrape {

    /** Where every service's test profile writes its log (relative to the module directory). */
    public static final Path SERVICE_LOG = Path.of("target", "service.log");

    private static final Pattern ERROR_LINE = Pattern.compile("^\\S+ ERROR .*");

    private final Path file;
    private final long mark;

    private LogScrape(Path file, long mark) {
        this.file = file;
        this.mark = mark;
    }

    /** Marks the current end of the service log: later calls see only what was written after it. */
    public static LogScrape mark() {
        try {
            return new LogScrape(SERVICE_LOG, Files.exists(SERVICE_LOG) ? Files.size(SERVICE_LOG) : 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ERROR lines (with the line after each, usually the exception) written since the mark. */
    public List<String> errorLines() {
        try {
            if (!Files.exists(file)) {
                throw new IllegalStateException(file.toAbsolutePath() + " does not exist: is file logging on in %test?");
            }
            byte[] all = Files.readAllBytes(file);
            int from = (int) Math.min(mark, all.length);
            String[] lines = new String(all, from, all.length - from, StandardCharsets.UTF_8).split("\n");
            List<String> errors = new ArrayList<>();
            for (int i = 0; i < lines.length; i++) {
                if (ERROR_LINE.matcher(lines[i]).matches()) {
                    errors.add(i + 1 < lines.length ? lines[i] + "\n" + lines[i + 1] : lines[i]);
                }
            }
            return errors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What was written since the mark without the entries (header line and its stack trace) of Vert.x'
     * blocked-thread checker: those come from a busy machine, not from the input, and carry a stack trace at WARN.
     */
    public String textCausedByRequests() {
        StringBuilder kept = new StringBuilder();
        boolean skipping = false;
        for (String line : text().split("\n")) {
            if (line.matches("^\\S+ [A-Z]+ +\\[.*")) {
                skipping = line.contains("[io.vertx.core.impl.BlockedThreadChecker]");
            }
            if (!skipping) {
                kept.append(line).append('\n');
            }
        }
        return kept.toString();
    }

    /** Everything written since the mark, for assertions on warnings (e.g. "no stack trace"). */
    public String text() {
        try {
            byte[] all = Files.readAllBytes(file);
            int from = (int) Math.min(mark, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
