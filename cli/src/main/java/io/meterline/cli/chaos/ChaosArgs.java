package io.meterline.cli.chaos;

import java.time.Duration;
import java.util.List;

/**
 * Options of {@code ./meterline chaos}: {@code --seed N} (every random choice follows from it; printed, so a run can be
 * repeated), {@code --quick} (fewer repetitions, shorter loads) and {@code --json} (accepted for symmetry with
 * {@code bench}: the last line is the JSON result either way). Bad input is an {@link IllegalArgumentException}.
 */
public record ChaosArgs(long seed, boolean quick) {

    /** At least five kills per crash scenario, as the invariant claims need. */
    public static final int MIN_KILLS = 5;

    public static ChaosArgs parse(List<String> args, long defaultSeed) {
        long seed = defaultSeed;
        boolean quick = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--json")) {
                continue;
            }
            if (arg.equals("--quick")) {
                quick = true;
            } else if (arg.equals("--seed")) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("--seed needs a number");
                }
                seed = seed(args.get(++i));
            } else if (arg.startsWith("--seed=")) {
                seed = seed(arg.substring("--seed=".length()));
            } else {
                throw new IllegalArgumentException("unknown chaos option '" + arg + "' (options: --seed N, --quick, --json)");
            }
        }
        return new ChaosArgs(seed, quick);
    }

    private static long seed(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--seed must be a whole number: " + value);
        }
    }

    /** {@code kill -9}s of billing in each crash scenario. */
    public int kills() {
        return quick ? MIN_KILLS : 8;
    }

    /**
     * Events the load generator gets acknowledged around a fault (after an outage, before a kill timer starts, before
     * a reporting run): counted rather than timed, since a loaded machine can let seconds pass with hardly an answer.
     */
    public int traffic() {
        return quick ? 40 : 100;
    }

    /** How long the broker stays down. */
    public Duration brokerOutage() {
        return Duration.ofSeconds(quick ? 5 : 10);
    }

    /** How long the Mongo-wire server stays down (the issue asks for 30 s; quick runs too). */
    public Duration mongoOutage() {
        return Duration.ofSeconds(30);
    }
}
