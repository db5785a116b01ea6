package io.meterline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterline.model.logs.LogFields;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The running pipeline after a demo-like run: what operators scrape, probe and read matches what we ship. */
class OperationsIT {

    static final HttpClient HTTP = HttpClient.newHttpClient();
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
    void everyServiceEchoesTheRequestIdAndReportsItsVersionInReadiness() throws Exception {
        for (String service : new String[] {"ingest", "billing", "webhook"}) {
            String id = "ops-it-" + service + "-" + UUID.randomUUID();
            HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.url(service) + "/q/health/ready"))
                    .header(LogFields.REQUEST_ID_HEADER, id).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.headers().firstValue(LogFields.REQUEST_ID_HEADER)).as(service).contains(id);
            JsonNode version = null;
            for (JsonNode check : Pipeline.JSON.readTree(ready.body()).path("checks")) {
                if (check.path("name").asText().equals("version")) {
                    version = check.path("data").path("version");
                }
            }
            assertThat(version).as(service + " readiness " + ready.body()).isNotNull();
            assertThat(version.asText()).as(service).matches("\\d+\\.\\d+.*");
        }
    }

    @Test
    void productionLogLinesCarryTheRequestIdAndTheRunId() throws Exception {
        String id = "ops-it-" + UUID.randomUUID();
        HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.url("billing") + "/ops/login"))
                .header(LogFields.REQUEST_ID_HEADER, id).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=not-a-token")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        await("the sign-in refusal logged").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(jsonLines("billing")).filteredOn(l -> l.path("message").asText().contains("sign-in refused"))
                        .anySatisfy(l -> assertThat(l.path("mdc").path(LogFields.REQUEST_ID).asText()).isEqualTo(id)));
        String runId = workload.reportRun.path("id").asText();
        assertThat(jsonLines("billing")).filteredOn(l -> l.path("message").asText().contains(runId)).isNotEmpty()
                .allSatisfy(l -> assertThat(l.path("mdc").path(LogFields.RUN_ID).asText()).isEqualTo(runId));
    }

    static List<JsonNode> jsonLines(String service) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(Pipeline.log(service))) {
            out.add(Pipeline.JSON.readTree(line));
        }
        return out;
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
