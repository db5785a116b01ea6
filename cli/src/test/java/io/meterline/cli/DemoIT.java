package io.meterline.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The main job end to end: {@code ./meterline demo} as a user runs it (the dev-stack process, the three packaged
 * services, the demo's workload), on ports shifted by a free offset. Fails when a step answers differently or when
 * Meterline's totals and the Stripe stand-in's summaries part.
 */
class DemoIT {

    static DemoResult result;
    static int exitCode;

    @BeforeAll
    static void runTheDemo() throws Exception {
        Path home = Path.of(System.getProperty("meterline.home", "..")).toAbsolutePath().normalize();
        String stateDir = System.getenv("METERLINE_STATE_DIR");
        if (stateDir != null) {
            deleteRecursively(Path.of(stateDir));
        }
        Ports.offset(freeOffset());
        Demo demo = new Demo(home);
        exitCode = demo.run();
        result = demo.result;
        System.out.println(result);
    }

    @Test
    void demoFinishes() {
        assertThat(exitCode).isZero();
    }

    @Test
    void everyIngestStepAnswersWithTheSameCounts() {
        assertThat(result.answers()).containsAllEntriesOf(Map.of(
                "5 one event", new DemoResult.Answer(202, 1, 0, 0),
                // 21 events, two resends of earlier ones, one dated tomorrow
                "6 batch", new DemoResult.Answer(202, 21, 2, 1),
                // a token scoped to acme writing for globex: the whole request refused (subject_out_of_scope)
                "7 other customer", new DemoResult.Answer(422, 0, 0, 0),
                "8 no token", new DemoResult.Answer(401, 0, 0, 0),
                "14 hooli's calls", new DemoResult.Answer(202, 4, 0, 0),
                "17 initech's past calls", new DemoResult.Answer(202, 3, 0, 0)));
    }

    @Test
    void stripeSetUpReachesBillingAndTheMetersAreDeclared() {
        assertThat(result.values()).containsEntry("3 subscriptions", 2L).containsEntry("4 declare call-minutes", 200L)
                .containsEntry("4 declare ai-suggestions", 200L).containsEntry("4 declare active-sensors", 200L);
    }

    @Test
    void everyAcceptedEventIsOnTheTopicAndCountedOnce() {
        assertThat(result.values()).containsEntry("9 records", 22L).containsEntry("10 counted", 22L);
    }

    @Test
    void meterlineTotalsEqualTheStandInSummariesForEveryBilledHour() {
        List<DemoResult.Total> billed = result.totals().stream().filter(DemoResult.Total::billed).toList();
        // acme: three meters, globex: calls and sensors (an hour boundary during the run only adds windows)
        assertThat(billed).extracting(t -> t.meter() + " " + t.customer()).contains("call-minutes acme",
                "ai-suggestions acme", "active-sensors acme", "call-minutes globex", "active-sensors globex");
        assertThat(billed).allSatisfy(total -> assertThat(total.stripe()).as(total.toString()).isEqualTo(total.meterline()));
        assertThat(billed).allSatisfy(total -> assertThat(total.meterline()).as(total.toString()).isPositive());
        // globex's plan has no AI suggestions item: counted by Meterline, never sent to Stripe
        assertThat(result.totals()).filteredOn(total -> !total.billed()).isNotEmpty()
                .allSatisfy(total -> assertThat(total.stripe()).as(total.toString()).isZero());
    }

    @Test
    void reportingSendsEachDeltaOnceAndNothingFails() {
        assertThat((Long) result.values().get("11 reported")).isGreaterThanOrEqualTo(5);
        assertThat(result.values()).containsEntry("11 failed", 0L).containsEntry("11 reported again", 0L);
    }

    @Test
    void prepaidBalanceMovesExactlyAndRechargesOnce() {
        assertThat(result.values()).containsEntry("14 balance", 240L)
                .containsEntry("15 refused", "402 debt_limit_exceeded")
                .containsEntry("15 balance", -500L)
                .containsEntry("16 recharge", "succeeded")
                .containsEntry("16 balance", 1500L)
                .containsEntry("16 payment intents", 1L)
                .containsEntry("16 history consistent", true);
    }

    @Test
    void closedPeriodsAreNotifiedAndALateEventMakesOneRevision() {
        assertThat((Long) result.values().get("17 closed")).isGreaterThanOrEqualTo(2);
        assertThat((Long) result.values().get("17 notifications")).isGreaterThanOrEqualTo(2);
        // near an hour boundary the catch-up may also close the hour the demo began in: at least, not exactly
        assertThat((Long) result.values().get("18 notifications")).isGreaterThanOrEqualTo(1);
        assertThat(result.values()).containsEntry("18 revised", 1L).containsEntry("18 revisions", 3L);
    }

    @Test
    void lostProviderWebhooksAreRecoveredAndEveryCallCountedOnce() {
        long delivered = (Long) result.values().get("19 delivered");
        long lost = (Long) result.values().get("19 lost");
        assertThat(lost).isPositive();
        assertThat(delivered + lost).isEqualTo(1_000L);
        assertThat(result.values()).containsEntry("19 counted", delivered)
                .containsEntry("20 recovered", lost).containsEntry("20 counted", 1_000L);
    }

    @Test
    void meterWithACountingStripeFormulaIsRefused() {
        assertThat(result.values()).containsEntry("23 declaration", "409 stripe_meter_mismatch");
    }

    @Test
    void clientDeliversAcrossAnIngestRestartAndBillingCountsEachEventOnce() {
        assertThat(result.values()).containsEntry("24 delivered", 2_000L).containsEntry("24 rejected", 1L)
                .containsEntry("24 still queued", 0L).containsEntry("24 counted", 2_000L);
    }

    /** An offset at which every port of the stack is free, below the ephemeral range other tests draw from. */
    static int freeOffset() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int offset = ThreadLocalRandom.current().nextInt(3_000, 4_500);
            if (Stream.concat(IntStream.of(Ports.KAFKA, Ports.MONGO, Ports.STRIPE).boxed(),
                    Ports.SERVICES.values().stream()).allMatch(port -> free(port + offset))) {
                return offset;
            }
        }
        throw new IllegalStateException("no port offset with every port free");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (Files.exists(path)) {
            try (Stream<Path> paths = Files.walk(path)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
