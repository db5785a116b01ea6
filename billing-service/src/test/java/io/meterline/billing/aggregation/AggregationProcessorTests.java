package io.meterline.billing.aggregation;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterline.billing.config.AggregationConfig;
import io.meterline.billing.meter.MeterLookup;
import io.meterline.billing.meter.MeterMatcher;
import io.meterline.model.Topics;
import io.meterline.model.UsageEventJson;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;
import io.meterline.model.usage.Windows;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The aggregation processor through the real topology (stores, changelogs, sinks) in a {@link TopologyTestDriver},
 * which commits after every record: milliseconds per test, no broker. What happens between commits is in
 * {@link BetweenCommitsTests}; the ITs run the same topology on a real broker.
 */
class AggregationProcessorTests {

    private static final String APPLICATION_ID = "aggregation-tests";
    private static final MeterDefinition CALLS = new MeterDefinition("calls", "api.call", Aggregation.COUNT, null,
            Map.of(), List.of(), "api_calls", null);
    private static final MeterDefinition MINUTES = new MeterDefinition("minutes", "call.ended", Aggregation.SUM,
            "minutes", Map.of(), List.of(), "call_minutes", null);

    record Config(String inputTopic, String dlqTopic, int topicPartitions, Duration lookback, Duration liveInterval,
            Duration sweepInterval, int windowCacheSize, Duration closedGrace, boolean writerEnabled,
            String writerGroupId, int writerMaxPollRecords, int writerMaxWindows, double writerGatherFactor,
            Duration writerMaxGather, boolean liveQueries, Duration meterRefreshInterval) implements AggregationConfig {

        static Config forTests(int windowCacheSize) {
            return new Config("usage-events", "usage-events.dlq", 1, Duration.ofDays(35), Duration.ofMillis(100),
                    Duration.ofHours(1), windowCacheSize, Duration.ZERO, true, "writer", 100, 1000, 1,
                    Duration.ofSeconds(5), true, Duration.ofSeconds(5));
        }
    }

    private final Instant now = Instant.now();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> events;
    private TestOutputTopic<byte[], byte[]> totals;
    private TestOutputTopic<byte[], byte[]> dlq;
    private SimpleMeterRegistry registry;

    @BeforeEach
    void start(@TempDir Path stateDir) {
        Config config = Config.forTests(1000);
        registry = new SimpleMeterRegistry();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(AggregationTopology.build(meters(CALLS, MINUTES),
                new AggregationMetrics(registry), config, Clock.systemUTC(), new RecentWindows()), props);
        events = driver.createInputTopic(config.inputTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        totals = driver.createOutputTopic(Topics.windowsChangelog(APPLICATION_ID),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        dlq = driver.createOutputTopic(config.dlqTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    static MeterLookup meters(MeterDefinition... meters) {
        Map<String, List<MeterMatcher>> byType = new LinkedHashMap<>();
        for (MeterDefinition meter : meters) {
            byType.computeIfAbsent(meter.eventType(), k -> new java.util.ArrayList<>()).add(new MeterMatcher(meter));
        }
        return type -> byType.getOrDefault(type, List.of());
    }

    private static String event(String id, String type, String subject, Instant time, String data) {
        return "{\"id\":\"" + id + "\",\"source\":\"tests\",\"type\":\"" + type + "\",\"subject\":\"" + subject
                + "\",\"time\":\"" + time + "\",\"data\":" + data + "}";
    }

    private void send(String json) {
        events.pipeInput(new TestRecord<>("k".getBytes(StandardCharsets.UTF_8), json == null ? null
                : json.getBytes(StandardCharsets.UTF_8)));
    }

    /** The window totals written to the windows changelog (what the MongoDB writer reads) since the last call. */
    private List<JsonNode> written() {
        return totals.readValuesToList().stream().map(AggregationProcessorTests::json).toList();
    }

    /** Every window's latest total written so far. */
    private Map<String, JsonNode> drain() {
        Map<String, JsonNode> latest = new LinkedHashMap<>();
        written().forEach(t -> latest.put(t.get("id").asText(), t));
        return latest;
    }

    static JsonNode json(byte[] bytes) {
        return UsageEventJson.mapper().valueToTree(WindowTotal.of(WindowState.fromBytes(bytes)));
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String hourId(String meter, String subject, Instant time) {
        return meter + "|" + subject + "||" + time.truncatedTo(ChronoUnit.HOURS).getEpochSecond();
    }

    @Test
    void duplicateEventInALaterBatchIsCountedOnce() {
        send(event("e1", "api.call", "acme", now, "{}"));
        assertThat(written()).singleElement().satisfies(t -> assertThat(t.get("eventCount").asLong()).isEqualTo(1));

        send(event("e1", "api.call", "acme", now, "{}"));
        send(event("e2", "api.call", "acme", now, "{}"));

        JsonNode total = drain().get(hourId("calls", "acme", now));
        assertThat(total.get("value").asDouble()).isEqualTo(2.0);
        assertThat(total.get("eventCount").asLong()).isEqualTo(2);
        assertThat(registry.counter("meterline.billing.events.deduplicated").count()).isEqualTo(1.0);
    }

    @Test
    void everyInvalidRecordReachesTheDlqWithItsReason() {
        String tooLong = "x".repeat(300);
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("not json at all", "not_json");
        expected.put("[1,2]", "not_an_object");
        expected.put("{\"source\":\"tests\",\"type\":\"api.call\",\"subject\":\"acme\",\"time\":\"" + now + "\",\"data\":{}}", "missing");
        expected.put(event("e", "api.call", "acme", now, "{}").replace("\"id\":\"e\"", "\"id\":7"), "not_a_string");
        expected.put(event(" ", "api.call", "acme", now, "{}"), "blank");
        expected.put(event(tooLong, "api.call", "acme", now, "{}"), "too_long");
        expected.put(event("e", "api call!", "acme", now, "{}"), "invalid_format");
        expected.put(event("e", "api.call", "acme", now, "{}").replace(now.toString(), "yesterday"), "invalid_time");
        expected.put(event("e", "api.call", "acme", now.plus(Duration.ofHours(1)), "{}"), "time_in_future");
        expected.put(event("e", "api.call", "acme", now.minus(Duration.ofDays(40)), "{}"), "too_late");
        expected.put(event("e", "api.call", "acme", now, "[]"), "not_an_object");
        expected.put(event("e", "api.call", "acme", now, "{\"blob\":\"" + "y".repeat(9000) + "\"}"), "too_large");
        expected.keySet().forEach(this::send);
        send(null);

        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(expected.size() + 1);
        List<String> reasons = dead.stream().map(r -> header(r, Topics.HEADER_DLQ_REASON)).toList();
        List<String> wanted = new java.util.ArrayList<>(expected.values());
        wanted.add("not_json");
        assertThat(reasons).containsExactlyElementsOf(wanted);
        assertThat(dead).allSatisfy(r -> assertThat(header(r, Topics.HEADER_DLQ_DETAIL)).isNotBlank());
        // the original bytes are kept for replay
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not json at all");
        assertThat(drain()).isEmpty();
    }

    @Test
    void lateEventInsideTheLookbackUpdatesItsOwnHourAndOneOutsideIsDeadLettered() {
        // half past the hour: the event a second later stays in the same hour (not so at hh:59:59)
        Instant threeDaysAgo = Windows.hourStart(now.minus(Duration.ofDays(3))).plus(Duration.ofMinutes(30));
        send(event("m1", "call.ended", "acme", threeDaysAgo, "{\"minutes\":7}"));
        send(event("m2", "call.ended", "acme", now, "{\"minutes\":5}"));
        send(event("m3", "call.ended", "acme", threeDaysAgo.plusSeconds(1), "{\"minutes\":4}"));
        send(event("m4", "call.ended", "acme", now.minus(Duration.ofDays(36)), "{\"minutes\":100}"));

        Map<String, JsonNode> windows = drain();
        assertThat(windows.get(hourId("minutes", "acme", threeDaysAgo)).get("value").asDouble()).isEqualTo(11.0);
        assertThat(windows.get(hourId("minutes", "acme", now)).get("value").asDouble()).isEqualTo(5.0);
        assertThat(windows).hasSize(2);
        assertThat(dlq.readRecordsToList()).singleElement()
                .satisfies(r -> assertThat(header(r, Topics.HEADER_DLQ_REASON)).isEqualTo("too_late"));
    }

    @Test
    void windowChangedAfterACommitIsWrittenAgainWithAHigherVersion() {
        send(event("a", "api.call", "acme", now, "{}"));
        JsonNode before = written().get(0);
        send(event("b", "api.call", "acme", now, "{}"));
        JsonNode after = written().get(0);

        assertThat(after.get("id").asText()).isEqualTo(before.get("id").asText());
        assertThat(after.get("version").asLong()).isGreaterThan(before.get("version").asLong());
        assertThat(after.get("value").asDouble()).isEqualTo(2.0);
        assertThat(registry.counter("meterline.billing.events.aggregated").count()).isEqualTo(2.0);
    }

    @Test
    void eventOfATypeNoMeterCountsIsAcceptedButNotAggregated() {
        send(event("u", "page.view", "acme", now, "{}"));
        assertThat(drain()).isEmpty();
        assertThat(dlq.readRecordsToList()).isEmpty();
        assertThat(registry.counter("meterline.billing.events.unmetered").count()).isEqualTo(1.0);
    }
}
