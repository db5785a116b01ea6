package io.meterline.billing;

import io.meterline.devstack.testing.SharedInfrastructure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two billing instances in one application id split the partitions and still produce exact totals. */
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

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafka().bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(applicationId))
                        .describedGroups().get(applicationId).get();
                assertThat(group.members()).hasSize(2);
                for (MemberDescription member : group.members()) {
                    assertThat(member.assignment().topicPartitions())
                            .as("each instance owns some input partitions")
                            .anyMatch(partition -> partition.topic().equals(backlog.topic));
                }
            });
        }
        await().atMost(Backlog.timeout()).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(backlog.difference()).as(() -> backlog.progress(applicationId)).isEmpty());
    }
}
