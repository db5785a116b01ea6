package io.meterline.cli.bench.ingest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * CPU time used by a process (Linux {@code /proc}), to say where the cores went during a phase: on a machine whose
 * cores are shared by broker, service and load generator, CPU per event is a steadier figure than throughput.
 */
public final class ProcessCpu {

    /** Linux reports utime/stime in clock ticks; 100 per second on every mainstream kernel configuration. */
    private static final long TICKS_PER_SECOND = 100;

    private final long pid;

    private ProcessCpu(long pid) {
        this.pid = pid;
    }

    /** The first process whose command line contains every fragment, if any (and if {@code /proc} exists). */
    public static ProcessCpu find(String... fragments) {
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> matches(p, fragments))
                    .findFirst().map(p -> new ProcessCpu(Long.parseLong(p.getFileName().toString())))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    public static ProcessCpu self() {
        return new ProcessCpu(ProcessHandle.current().pid());
    }

    /** CPU milliseconds (user + system) used so far, or empty when unreadable. */
    public OptionalLong cpuMillis() {
        if (pid == ProcessHandle.current().pid()) {
            var os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
                return OptionalLong.of(sun.getProcessCpuTime() / 1_000_000);
            }
        }
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // fields after the parenthesised command name: state is field 3, utime 14, stime 15
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return OptionalLong.of(ticks * 1000 / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * CPU milliseconds used so far by the JIT compiler threads ({@code C1/C2 CompilerThread}): a warm-up cost that
     * lingers when the machine is short of CPU, reported apart from the work itself.
     */
    public OptionalLong jitMillis() {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            long ticks = 0;
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (name.contains("CompilerThre")) {
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
            return OptionalLong.of(ticks * 1000 / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private static boolean matches(Path process, String[] fragments) {
        try {
            String cmdline = new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8);
            for (String fragment : fragments) {
                if (!cmdline.contains(fragment)) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
