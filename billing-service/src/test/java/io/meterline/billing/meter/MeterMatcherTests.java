package io.meterline.billing.meter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.model.UsageEvent;
import io.meterline.model.UsageEventJson;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MeterMatcherTests {

    static UsageEvent event(String type, String json) throws Exception {
        ObjectNode data = (ObjectNode) UsageEventJson.mapper().readTree(json);
        return new UsageEvent("1", "src", type, "cust", Instant.EPOCH, data, null);
    }

    @Test
    void matchesTypeAndEveryFilterProperty() throws Exception {
        MeterMatcher matcher = new MeterMatcher(new MeterDefinition("m", "call", Aggregation.SUM, "call.minutes",
                Map.of("tier", "pro"), List.of(), "calls", null));
        assertThat(matcher.matches(event("call", "{\"tier\":\"pro\"}"))).isTrue();
        assertThat(matcher.matches(event("call", "{\"tier\":\"free\"}"))).isFalse();
        assertThat(matcher.matches(event("sms", "{\"tier\":\"pro\"}"))).isFalse();
    }

    @Test
    void readsNestedNumericValuesAndRefusesMissingOnes() throws Exception {
        MeterMatcher matcher = new MeterMatcher(new MeterDefinition("m", "call", Aggregation.SUM, "call.minutes",
                Map.of(), List.of(), "calls", null));
        assertThat(matcher.contribution(event("call", "{\"call\":{\"minutes\":2.5}}")).value()).isEqualTo(2.5);
        assertThat(matcher.contribution(event("call", "{\"call\":{\"minutes\":\"4\"}}")).value()).isEqualTo(4);
        assertThat(matcher.contribution(event("call", "{\"call\":{}}"))).isNull();
        assertThat(matcher.contribution(event("call", "{\"call\":{\"minutes\":\"many\"}}"))).isNull();
    }

    @Test
    void onlyTextThatIsAJsonNumberInsideTheUsageRangeCountsAsAValue() throws Exception {
        MeterMatcher matcher = new MeterMatcher(new MeterDefinition("m", "call", Aggregation.SUM, "units",
                Map.of(), List.of(), "calls", null));
        for (String text : List.of("NaN", "Infinity", "-Infinity", "0x1p3", "1e400", "1e-400", " 4", "4d", "1_000")) {
            assertThat(matcher.contribution(event("call", "{\"units\":\"" + text + "\"}"))).as(text).isNull();
        }
        assertThat(matcher.contribution(event("call", "{\"units\":\"-12.25e2\"}")).value()).isEqualTo(-1225);
    }

    @Test
    void exactDecimalsAreCountedAsTheDoubleNearestToThem() throws Exception {
        MeterMatcher matcher = new MeterMatcher(new MeterDefinition("m", "call", Aggregation.SUM, "units",
                Map.of(), List.of(), "calls", null));
        assertThat(matcher.contribution(event("call", "{\"units\":123456789012345}")).value()).isEqualTo(123456789012345d);
        assertThat(matcher.contribution(event("call", "{\"units\":0.1}")).value()).isEqualTo(0.1);
    }

    @Test
    void groupKeyListsGroupByValuesInOrderAndIsNeverEmpty() throws Exception {
        MeterMatcher matcher = new MeterMatcher(new MeterDefinition("m", "call", Aggregation.COUNT, null, Map.of(),
                List.of("region", "plan"), "calls", null));
        Map<String, String> group = matcher.group(event("call", "{\"region\":\"eu\"}"));
        assertThat(group).containsExactly(Map.entry("region", "eu"), Map.entry("plan", ""));
        assertThat(MeterMatcher.groupKey(group)).isEqualTo("region=eu&plan=");
    }
}
