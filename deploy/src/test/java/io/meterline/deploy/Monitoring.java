package io.meterline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * deploy/monitoring: every Grafana dashboard (*.json) and every PrometheusRule (*.yaml), read as operators' tools read
 * them; a file added there is checked without being named here.
 */
final class Monitoring {

    static final Path DIR = Path.of("monitoring");
    static final String DASHBOARD = "meterline-overview.json";
    /** Series that kube-state-metrics exports about pods, not a Meterline service. */
    static final String KUBE_STATE_PREFIX = "kube_";

    private Monitoring() {
    }

    /** The overview dashboard (the one the README links to). */
    static JsonNode dashboard() {
        return read(DIR.resolve(DASHBOARD), new ObjectMapper());
    }

    /** Every Grafana dashboard in the directory (*.json). */
    static List<JsonNode> dashboards() {
        return files(".json").stream().map(file -> read(file, new ObjectMapper())).toList();
    }

    /** Every PrometheusRule in the directory (*.yaml other than the kustomization). */
    static List<JsonNode> ruleFiles() {
        return ruleFilePaths().stream().map(file -> read(file, Kustomize.YAML)).toList();
    }

    static List<Path> ruleFilePaths() {
        return files(".yaml").stream().filter(file -> !file.getFileName().toString().equals("kustomization.yaml")).toList();
    }

    static List<JsonNode> alertRules() {
        List<JsonNode> out = new ArrayList<>();
        ruleFiles().forEach(rules -> rules.path("spec").path("groups").forEach(group -> group.path("rules").forEach(out::add)));
        return out;
    }

    static List<String> expressions() {
        List<String> exprs = new ArrayList<>();
        dashboards().forEach(dashboard -> dashboard.path("panels").forEach(panel ->
                panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()))));
        alertRules().forEach(rule -> exprs.add(rule.path("expr").asText()));
        return exprs;
    }

    private static List<Path> files(String suffix) {
        try (Stream<Path> listing = Files.list(DIR)) {
            return listing.filter(file -> file.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode read(Path file, ObjectMapper mapper) {
        try {
            return mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Every metric name the dashboard and the rules read that a Meterline service must export. */
    static Set<String> metricNames() {
        Set<String> names = new TreeSet<>();
        expressions().forEach(expr -> names.addAll(PromQl.metricNames(expr)));
        names.removeIf(name -> name.startsWith(KUBE_STATE_PREFIX));
        return names;
    }
}
