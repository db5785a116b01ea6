package io.meterline.billing;

import io.meterline.devstack.testing.SharedInfrastructure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import io.meterline.model.usage.UsageWindowDocument;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two billing instances in one application id split the partitions and still produce exact totals, and either one
 * answers usage queries from the aggregation itself (decision 0026).
 */
class TwoInstancesIT {

    private BillingProcess first;
    private BillingProcess second;

    @AfterEach
    void stop() {
        if (first != null) {
            first.stop();
        }
        if (second != null) {
            second.stop();
        }
    }

    @Test
    void twoInstancesInOneGroupSharePartitionsAndProduceExactTotals() throws Exception {
        String run = "pair-" + UUID.randomUUID().toString().substring(0, 8);
        Backlog backlog = new Backlog(run, 80_000, 40, 0.05, 7).produce();
        Map<String, String> config = BillingProcess.isolatedConfig(run, backlog.topic, Backlog.meterConfig());
        String applicationId = "billing-" + run;
        first = new BillingProcess(run + "-a", config);
        second = new BillingProcess(run + "-b", config);
        // the second instance joins while the first is in the middle of the backlog: tasks move with their state
        first.start();
        await().atMost(Backlog.timeout()).pollInterval(Duration.ofMillis(50))
                .until(() -> backlog.committed(applicationId) >= backlog.events / 4);
        second.start();
        awaitBothOwnPartitions(applicationId, backlog.topic);
        await().atMost(Backlog.timeout()).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(backlog.difference()).as(() -> backlog.progress(applicationId)).isEmpty());
    }

    @Test
    void eitherInstanceAnswersUsageFromTheAggregationBeforeMongoDbHasIt() throws Exception {
        String run = "live-" + UUID.randomUUID().toString().substring(0, 8);
        Backlog backlog = new Backlog(run, 3_000, 12, 0.05, 11).produce();
        Map<String, String> config = BillingProcess.isolatedConfig(run, backlog.topic, Backlog.meterConfig());
        // no window reaches MongoDB while the test runs: every answer below comes from Kafka Streams' stores
        config.put("billing.aggregation.writer-enabled", "false");
        String applicationId = "billing-" + run;
        first = new BillingProcess(run + "-a", config);
        second = new BillingProcess(run + "-b", config);
        for (BillingProcess instance : List.of(first, second)) {
            instance.configure("quarkus.kafka-streams.application-server", "127.0.0.1:" + instance.port());
        }
        first.start();
        second.start();
        awaitBothOwnPartitions(applicationId, backlog.topic);
        Instant now = Instant.now();
        Instant from = now.minus(Duration.ofHours(7));
        Instant to = now.plus(Duration.ofHours(1));
        String token = BillingApi.admin();
        await().atMost(Backlog.timeout()).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (BillingProcess asked : List.of(first, second)) {
                for (int c = 0; c < 12; c++) {
                    String customer = "cust-" + c;
                    for (String meter : List.of("count", "sum")) {
                        JsonPath answer = BillingApi.usageRequest(token, meter, customer, from, to)
                                .baseUri(asked.url()).queryParam("window", "hour")
                                .queryParam("groupBy", meter.equals("sum") ? "region" : "")
                                .get("/v1/usage").then().statusCode(200).extract().jsonPath();
                        Map<String, Double> windows = new TreeMap<>();
                        for (Map<String, Object> window : answer.<Map<String, Object>>getList("windows")) {
                            long hour = Instant.parse((String) window.get("start")).getEpochSecond();
                            @SuppressWarnings("unchecked")
                            Map<String, String> group = (Map<String, String>) window.get("group");
                            String groupKey = group == null || group.isEmpty() ? "" : "region=" + group.get("region");
                            windows.put(UsageWindowDocument.idOf(meter, customer, groupKey, hour),
                                    ((Number) window.get("value")).doubleValue());
                        }
                        assertThat(windows).as("%s of %s asked at %s", meter, customer, asked.url())
                                .isEqualTo(expected(backlog, meter, customer));
                    }
                }
            }
        });
        assertThat(backlog.actual()).as("nothing was copied to MongoDB").isEmpty();
    }

    /** Waits until both instances are members of the application's group and each owns input partitions. */
    private static void awaitBothOwnPartitions(String applicationId, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafka().bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(applicationId))
                        .describedGroups().get(applicationId).get();
                assertThat(group.members()).hasSize(2).allSatisfy(member -> assertThat(
                        member.assignment().topicPartitions()).as("each instance owns some input partitions")
                        .anyMatch(partition -> partition.topic().equals(topic)));
            });
        }
    }

    /** The backlog's expected windows of one meter and customer (grouped ones for "sum", ungrouped for "count"). */
    private static Map<String, Double> expected(Backlog backlog, String meter, String customer) {
        Map<String, Double> windows = new TreeMap<>();
        String prefix = meter + "|" + customer + "|";
        backlog.expected.forEach((id, value) -> {
            boolean grouped = !id.startsWith(prefix + "|");
            if (id.startsWith(prefix) && grouped == meter.equals("sum")) {
                windows.put(id, value);
            }
        });
        return windows;
    }
}
