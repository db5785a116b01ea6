package io.meterline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** deploy/monitoring: the Grafana dashboard and the PrometheusRule, read as operators' tools read them. */
final class Monitoring {

    static final Path DIR = Path.of("monitoring");
    /** Series that kube-state-metrics exports about pods, not a Meterline service. */
    static final String KUBE_STATE_PREFIX = "kube_";

    private Monitoring() {
    }

    static JsonNode dashboard() {
        try {
            return new ObjectMapper().readTree(DIR.resolve("meterline-overview.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode rules() {
        try {
            return Kustomize.YAML.readTree(DIR.resolve("meterline-alerts.yaml").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> alertRules() {
        List<JsonNode> out = new ArrayList<>();
        rules().path("spec").path("groups").forEach(group -> group.path("rules").forEach(out::add));
        return out;
    }

    static List<String> expressions() {
        List<String> exprs = new ArrayList<>();
        dashboard().path("panels").forEach(panel -> panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
        alertRules().forEach(rule -> exprs.add(rule.path("expr").asText()));
        return exprs;
    }

    /** Every metric name the dashboard and the rules read that a Meterline service must export. */
    static Set<String> metricNames() {
        Set<String> names = new TreeSet<>();
        expressions().forEach(expr -> names.addAll(PromQl.metricNames(expr)));
        names.removeIf(name -> name.startsWith(KUBE_STATE_PREFIX));
        return names;
    }
}
