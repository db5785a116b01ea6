package io.meterline.billing.aggregation;

import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;
import io.meterline.model.usage.UsageWindowDocument;
import io.meterline.model.usage.Windows;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the aggregation does between two commits (decision 0028), on a {@link MockProcessorContext} where the test
 * decides when the live punctuation runs and when the task commits: windows change in memory, usage queries see them
 * through {@link RecentWindows}, and the stores receive them only right before the commit.
 */
class BetweenCommitsTests {

    private static final MeterDefinition CALLS = new MeterDefinition("calls", "api.call", Aggregation.COUNT, null,
            Map.of(), List.of(), "api_calls", null);

    private final Instant now = Instant.now();
    private final String acme = UsageWindowDocument.idOf("calls", "acme", "", Windows.hourStartMillis(now.toEpochMilli()) / 1000);
    private final String beta = UsageWindowDocument.idOf("calls", "beta", "", Windows.hourStartMillis(now.toEpochMilli()) / 1000);
    private final RecentWindows recent = new RecentWindows();
    private MockProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, Long> dedup;
    private KeyValueStore<String, byte[]> windows;
    private BeforeCommit beforeCommit;
    private AggregationProcessor processor;

    @BeforeEach
    void start() {
        start(1000);
    }

    private void start(int windowCacheSize) {
        context = new MockProcessorContext<>();
        dedup = add(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(AggregationProcessor.DEDUP_STORE),
                Serdes.String(), Serdes.Long()).withLoggingDisabled().build());
        windows = add(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(AggregationProcessor.WINDOW_STORE),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build());
        beforeCommit = add(BeforeCommit.builder(AggregationProcessor.BEFORE_COMMIT).build());
        processor = new AggregationProcessor(AggregationProcessorTests.meters(CALLS),
                new AggregationMetrics(new SimpleMeterRegistry()), AggregationProcessorTests.Config.forTests(windowCacheSize),
                Clock.systemUTC(), recent);
        processor.init(context);
    }

    private <S extends StateStore> S add(S store) {
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }

    private void send(String id, String subject) {
        String json = "{\"id\":\"" + id + "\",\"source\":\"tests\",\"type\":\"api.call\",\"subject\":\"" + subject
                + "\",\"time\":\"" + now + "\",\"data\":{}}";
        processor.process(new Record<>(subject.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8),
                now.toEpochMilli()));
    }

    /** Runs the punctuation that publishes changed windows to usage queries. */
    private void publishLive() {
        context.scheduledPunctuators().stream()
                .filter(p -> p.getInterval().equals(Duration.ofMillis(100)))
                .forEach(p -> p.getPunctuator().punctuate(now.toEpochMilli()));
    }

    private static double value(byte[] state) {
        return WindowState.fromBytes(state).value();
    }

    @Test
    void windowsReachTheStoresOnlyRightBeforeTheCommitWithTheirLatestState() {
        send("a1", "acme");
        send("a2", "acme");
        send("b1", "beta");

        assertThat(windows.get(acme)).as("nothing is stored before the commit").isNull();
        assertThat(dedup.get("5:tests|a1")).isNull();

        beforeCommit.flushCache();

        assertThat(value(windows.get(acme))).isEqualTo(2.0);
        assertThat(value(windows.get(beta))).isEqualTo(1.0);
        assertThat(WindowState.fromBytes(windows.get(acme)).version).isEqualTo(2);
        assertThat(dedup.approximateNumEntries()).isEqualTo(3);
    }

    @Test
    void usageQueriesSeeChangesAtEachLivePublicationAndTheStoreAfterTheCommit() {
        send("a1", "acme");
        assertThat(recent.get("calls", "acme", acme)).as("published at the next live punctuation").isNull();

        publishLive();
        assertThat(value(recent.get("calls", "acme", acme))).isEqualTo(1.0);

        send("a2", "acme");
        publishLive();
        assertThat(value(recent.get("calls", "acme", acme))).isEqualTo(2.0);

        beforeCommit.flushCache();
        assertThat(recent.get("calls", "acme", acme)).as("the store has it now").isNull();
        assertThat(value(windows.get(acme))).isEqualTo(2.0);
    }

    @Test
    void theWriterCanTellThatEveryChangeIsCommittedOnlyOnceTheCommitAfterTheFlushIsDone() {
        assertThat(recent.allCommitted()).as("nothing changed yet").isTrue();
        send("a1", "acme");
        assertThat(recent.allCommitted()).as("a window changed in memory").isFalse();

        beforeCommit.flushCache();
        assertThat(recent.allCommitted()).as("flushed into a transaction not committed yet").isFalse();
        long before = recent.lastCommitNanos();

        // the stream thread punctuates only after the commit that followed the flush
        publishLive();
        assertThat(recent.allCommitted()).isTrue();
        assertThat(recent.lastCommitNanos()).isGreaterThan(before);

        send("a2", "acme");
        beforeCommit.flushCache();
        send("a3", "acme");
        assertThat(recent.allCommitted()).as("changed again after a commit").isFalse();
        processor.close();
        assertThat(recent.allCommitted()).as("a task that closes drops what it had not committed").isTrue();
    }

    @Test
    void aRepeatBeforeTheCommitIsDroppedAsADuplicate() {
        send("a1", "acme");
        send("a1", "acme");
        beforeCommit.flushCache();

        WindowState state = WindowState.fromBytes(windows.get(acme));
        assertThat(state.count).isEqualTo(1);
        assertThat(state.duplicates).isEqualTo(1);

        send("a1", "acme");
        beforeCommit.flushCache();
        assertThat(WindowState.fromBytes(windows.get(acme)).duplicates).as("and after it, from the store").isEqualTo(2);
    }

    @Test
    void aWindowTheCacheLetGoBeforeTheCommitKeepsItsChanges() {
        start(1);
        send("a1", "acme");
        send("b1", "beta");
        send("a2", "acme");
        beforeCommit.flushCache();

        assertThat(value(windows.get(acme))).isEqualTo(2.0);
        assertThat(value(windows.get(beta))).isEqualTo(1.0);
    }

    @Test
    void aTaskClosedWithoutCommittingTakesItsChangesBackFromQueries() {
        send("a1", "acme");
        publishLive();
        assertThat(recent.get("calls", "acme", acme)).isNotNull();

        processor.close();

        assertThat(recent.get("calls", "acme", acme)).isNull();
        assertThat(windows.get(acme)).isNull();
    }
}
