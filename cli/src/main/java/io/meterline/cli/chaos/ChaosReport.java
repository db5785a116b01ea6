package io.meterline.cli.chaos;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a chaos run found. Every check covers every event acknowledged since the start (the totals are cumulative),
 * so the top-level {@code lost}, {@code double_counted} and {@code stripe_mismatches} are the worst seen after any
 * scenario, and {@code results} names the first scenario where one appeared.
 */
public final class ChaosReport {

    /** One scenario: the faults it injected and what the check after it found. */
    public record Scenario(String name, long faults, long acknowledged, long lost, long doubleCounted,
                           long stripeMismatches, long webhookMismatches, double seconds, String error) {

        public boolean passed() {
            return error == null && lost == 0 && doubleCounted == 0 && stripeMismatches == 0 && webhookMismatches == 0;
        }
    }

    private final List<Scenario> scenarios = new ArrayList<>();

    public void add(Scenario scenario) {
        scenarios.add(scenario);
    }

    public List<Scenario> scenarios() {
        return List.copyOf(scenarios);
    }

    /** True when at least one scenario ran and every one held every invariant. */
    public boolean passed() {
        return !scenarios.isEmpty() && scenarios.stream().allMatch(Scenario::passed);
    }

    /** The fields of the last line, in order: summary first, machine, then one entry per scenario. */
    public Map<String, Object> toMap(long seed, Double loadAvgStart, int cores, double seconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scenarios", scenarios.size());
        out.put("faults_injected", scenarios.stream().mapToLong(Scenario::faults).sum());
        out.put("events_acknowledged", scenarios.stream().mapToLong(Scenario::acknowledged).max().orElse(0));
        out.put("lost", scenarios.stream().mapToLong(Scenario::lost).max().orElse(0));
        out.put("double_counted", scenarios.stream().mapToLong(Scenario::doubleCounted).max().orElse(0));
        out.put("stripe_mismatches", scenarios.stream().mapToLong(Scenario::stripeMismatches).max().orElse(0));
        out.put("webhook_mismatches", scenarios.stream().mapToLong(Scenario::webhookMismatches).sum());
        out.put("errors", scenarios.stream().filter(s -> s.error() != null).count());
        out.put("passed", passed());
        out.put("seed", seed);
        out.put("load_avg_start", loadAvgStart);
        out.put("cores", cores);
        out.put("duration_s", Math.round(seconds * 10) / 10.0);
        List<Map<String, Object>> results = new ArrayList<>();
        for (Scenario s : scenarios) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", s.name());
            r.put("passed", s.passed());
            r.put("faults", s.faults());
            r.put("events_acknowledged", s.acknowledged());
            r.put("lost", s.lost());
            r.put("double_counted", s.doubleCounted());
            r.put("stripe_mismatches", s.stripeMismatches());
            r.put("webhook_mismatches", s.webhookMismatches());
            r.put("seconds", Math.round(s.seconds() * 10) / 10.0);
            if (s.error() != null) {
                r.put("error", s.error());
            }
            results.add(r);
        }
        out.put("results", results);
        return out;
    }
}
