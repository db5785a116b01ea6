package io.meterline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The shape of deploy/monitoring; OperationsIT checks its metric names against the running services. */
class MonitoringTests {

    @Test
    void everyAlertHasAThresholdASeverityAndARunbookLine() {
        List<JsonNode> rules = Monitoring.alertRules();
        assertThat(rules).extracting(r -> r.path("alert").asText()).contains("MeterlineConsumerLagGrowing",
                "MeterlineDeadLetters", "MeterlineReportRunAborted", "MeterlineReportNotRun", "MeterlineStripeClientErrors",
                "MeterlineDeadWebhooks", "MeterlineDryRunInProduction", "MeterlineReadinessFlapping");
        assertThat(rules).allSatisfy(rule -> {
            assertThat(rule.path("expr").asText()).as(rule.path("alert").asText()).containsPattern("[<>=]=?\\s*[0-9]");
            assertThat(rule.path("labels").path("severity").asText()).isIn("warning", "critical");
            assertThat(rule.path("annotations").path("runbook").asText()).hasSizeGreaterThan(20);
            assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
        });
    }

    @Test
    void theDashboardShowsThePipelineOverview() {
        JsonNode dashboard = Monitoring.dashboard();
        assertThat(dashboard.path("panels").findValuesAsText("title")).contains("Ingest", "Aggregation", "Reporting to Stripe",
                "Stripe webhooks", "Consumer lag per partition", "DLQ /s by reason", "Stripe errors /s by code",
                "Webhook backlog by status");
        assertThat(dashboard.path("panels").findValuesAsText("title")).anyMatch(t -> t.startsWith("Dry-run"));
        assertThat(Monitoring.metricNames()).contains("meterline_ingest_events_accepted_total",
                "kafka_consumer_fetch_manager_records_lag", "meterline_billing_events_dlq_total", "meterline_report_runs_total",
                "meterline_stripe_call_errors_total", "webhook_events_queue", "meterline_billing_dry_run");
    }

    @Test
    void theReconciliationRulesAreReadWithTheOthers() {
        assertThat(Monitoring.alertRules()).extracting(r -> r.path("alert").asText())
                .contains("MeterlineStripeOverReported", "MeterlineUsageSourceUnreliable", "MeterlineReconciliationNotRun");
        assertThat(Monitoring.metricNames()).contains("meterline_reconciliation_over_reported_windows",
                "meterline_reconciliation_corrections_total", "meterline_reconciliation_windows_total",
                "meterline_source_reliability_below_threshold", "meterline_reconciliation_last_run_finished");
    }

    @Test
    void everyRuleFileIsAResourceOfTheMonitoringKustomization() throws Exception {
        JsonNode kustomization = Kustomize.YAML.readTree(Monitoring.DIR.resolve("kustomization.yaml").toFile());
        List<String> resources = new ArrayList<>();
        kustomization.path("resources").forEach(r -> resources.add(r.asText()));
        assertThat(resources).containsExactlyInAnyOrderElementsOf(
                Monitoring.ruleFilePaths().stream().map(file -> file.getFileName().toString()).toList());
    }

    @Test
    void theProductionOverlayCarriesTheAlertRules() {
        assertThat(ManifestsTests.render("production")).anyMatch(d -> d.path("kind").asText().equals("PrometheusRule"));
    }
}
