package io.meterline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The running pipeline after a demo-like run: what operators scrape, probe and read matches what we ship. */
class OperationsIT {

    static Pipeline pipeline;
    static Workload workload;

    @BeforeAll
    static void runWorkload() throws Exception {
        pipeline = Pipeline.get();
        workload = Workload.run(pipeline);
    }

    static Set<String> exportedMetricNames() throws Exception {
        Set<String> names = new TreeSet<>();
        for (String service : new String[] {"ingest", "billing", "webhook"}) {
            for (String line : pipeline.text(service, "/q/metrics").split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    names.add(line.split("[{ ]", 2)[0]);
                }
            }
        }
        return names;
    }

    @Test
    void everyMetricTheDashboardAndTheAlertRulesReadIsExported() {
        Set<String> needed = Monitoring.metricNames();
        assertThat(needed).hasSizeGreaterThan(15);
        // Kafka's per-partition client metrics are bound a little after partitions are assigned
        await("metrics exported").atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(exportedMetricNames()).containsAll(needed));
    }

    @Test
    void everyMeterlineSeriesNamesItsService() throws Exception {
        for (String service : new String[] {"ingest", "billing", "webhook"}) {
            for (String line : pipeline.text(service, "/q/metrics").split("\n")) {
                if (line.startsWith("meterline_") || line.startsWith("webhook_") || line.startsWith("http_server_requests")) {
                    assertThat(line).contains("service=\"" + service + "-service\"");
                }
            }
        }
    }

    @Test
    void theManifestsProbeAndScrapePathsAnswerOnTheRunningServices() throws Exception {
        ManifestChecks checks = new ManifestChecks(ManifestsTests.render("production"));
        for (var entry : checks.podTemplates().entrySet()) {
            String service = entry.getKey().replaceAll(".* (\\w+)-service$", "$1");
            if (!entry.getKey().endsWith("-service")) {
                continue;
            }
            var template = entry.getValue();
            var container = template.getSpec().getContainers().get(0);
            for (var probe : List.of(container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe())) {
                assertThat(pipeline.status(service, probe.getHttpGet().getPath())).as(service + " " + probe.getHttpGet().getPath())
                        .isEqualTo(200);
            }
            String metricsPath = template.getMetadata().getAnnotations().get("prometheus.io/path");
            assertThat(pipeline.text(service, metricsPath)).as(service + " " + metricsPath).contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void productionLogsAreJsonLinesWithoutSecretsTokensOrPayloads() throws Exception {
        List<String> secrets = List.of(pipeline.stripeKey, pipeline.webhookSecret, pipeline.operatorToken,
                workload.producerToken, workload.payloadMarker);
        for (String service : new String[] {"ingest", "billing", "webhook"}) {
            List<String> lines = Files.readAllLines(Pipeline.log(service));
            assertThat(lines).as(service + " log").isNotEmpty();
            for (String line : lines) {
                for (String secret : secrets) {
                    assertThat(line).as(service + " log line").doesNotContain(secret);
                }
                JsonNode json = Pipeline.JSON.readTree(line);
                assertThat(json.path("service").asText()).as(line).isEqualTo(service + "-service");
            }
        }
    }
}
