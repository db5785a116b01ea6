package io.meterline.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UsageEventJsonTests {

    @Test
    void recordValuesAreByteForByteWhatTheMapperWritesForTheEvent() throws Exception {
        ObjectNode rich = (ObjectNode) UsageEventJson.parseTree(("{\"units\":1.50,\"big\":1e3,\"neg\":-0.000000001,"
                + "\"int\":123456789012345,\"text\":\"a\\\"b\\\\c\\n\\u0001é😀\",\"nested\":{\"list\":[1,\"2\",null,true,"
                + "{\"x\":[]}],\"empty\":{}},\"none\":null}").getBytes());
        List<UsageEvent> events = List.of(
                new UsageEvent("e-1", "api-gateway", "api.request", "acme", Instant.parse("2026-03-01T12:00:00Z"),
                        null, null),
                new UsageEvent("e-\"2\"\\", "src/é", "call.completed", "Ωmega 😀", Instant.parse(
                        "2026-03-01T12:00:00.120Z"), rich, "org-9"),
                new UsageEvent("e-3", "s", "t", "u", Instant.ofEpochSecond(1_700_000_000L, 123_456_789), rich, null),
                new UsageEvent("e-4", "s", "t", "u", Instant.ofEpochSecond(1_700_000_000L, 5_000), rich, "o"));
        for (UsageEvent event : events) {
            assertThat(new String(UsageEventJson.toBytes(event), "UTF-8"))
                    .isEqualTo(new String(UsageEventJson.mapper().writeValueAsBytes(event), "UTF-8"));
            assertThat(UsageEventJson.toBytes(event)).isEqualTo(UsageEventJson.mapper().writeValueAsBytes(event));
        }
    }
}
