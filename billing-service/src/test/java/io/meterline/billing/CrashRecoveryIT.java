package io.meterline.billing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The exactly-once invariant under abrupt crashes: the packaged service is killed (-9) three times in the middle of
 * a backlog and restarted; MongoDB must end with exactly the generator's totals — nothing lost, nothing doubled.
 */
class CrashRecoveryIT {

    private BillingProcess billing;

    @AfterEach
    void stop() {
        if (billing != null) {
            billing.stop();
        }
    }

    @Test
    void totalsAreExactAfterRepeatedKillNineInTheMiddleOfABacklog() {
        String run = "crash-" + UUID.randomUUID().toString().substring(0, 8);
        // 40,000 events (~1,200 windows) put each kill thousands of events into the backlog; 100,000 only made the
        // run longer (a third of billing's IT time), the assertion is the same
        Backlog backlog = new Backlog(run, 40_000, 40, 0.05, 42).produce();
        billing = new BillingProcess(run, BillingProcess.isolatedConfig(run, backlog.topic, Backlog.meterConfig()))
                // commits every 100 ms: with the default second, one commit after a restart could take the rest of
                // the backlog, and the next kill landed after it was done (the assertion on killedAt below)
                .configure("kafka-streams.commit.interval.ms", "100");
        String applicationId = "billing-" + run;

        List<Long> killedAt = new ArrayList<>();
        for (double share : List.of(0.2, 0.45, 0.7)) {
            billing.start();
            long threshold = (long) (backlog.events * share);
            await().atMost(Backlog.timeout()).pollInterval(Duration.ofMillis(50))
                    .conditionEvaluationListener(condition -> {
                        if (condition.getElapsedTimeInMS() % 5000 < 60) {
                            System.out.printf("crash test: waiting for %d committed, %d so far%n", threshold,
                                    backlog.committed(applicationId));
                        }
                    })
                    .until(() -> backlog.committed(applicationId) >= threshold);
            billing.kill();
            killedAt.add(backlog.committed(applicationId));
        }
        billing.start();
        await().atMost(Backlog.timeout()).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(backlog.difference()).as(() -> backlog.progress(applicationId)).isEmpty());

        assertThat(backlog.duplicates).isPositive();
        // the kills really happened mid-backlog, not after it was done
        assertThat(killedAt).allMatch(offset -> offset < backlog.events);
        System.out.printf("crash test: %d records (%d duplicates), killed at committed offsets %s, %d windows exact%n",
                backlog.events, backlog.duplicates, killedAt, backlog.expected.size());
    }
}
