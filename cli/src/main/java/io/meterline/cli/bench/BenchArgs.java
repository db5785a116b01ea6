package io.meterline.cli.bench;

import java.util.List;

/** Options of a benchmark, given as {@code --name value} pairs after its name. */
final class BenchArgs {

    private BenchArgs() {
    }

    static String option(List<String> args, String name, String defaultValue) {
        int index = args.indexOf(name);
        return index >= 0 && index + 1 < args.size() ? args.get(index + 1) : defaultValue;
    }

    static int intOption(List<String> args, String name, int defaultValue) {
        return Integer.parseInt(option(args, name, String.valueOf(defaultValue)));
    }
}
