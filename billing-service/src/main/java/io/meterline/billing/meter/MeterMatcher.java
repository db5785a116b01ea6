package io.meterline.billing.meter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.model.UsageEvent;
import io.meterline.model.UsageNumbers;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a meter takes from an event: whether it matches, its value, its distinct value and its group. Pure. */
public final class MeterMatcher {

    private final MeterDefinition meter;
    private final String[][] valuePath;
    private final List<String> groupBy;

    public MeterMatcher(MeterDefinition meter) {
        this.meter = meter;
        this.valuePath = meter.valuePath() == null || meter.valuePath().isBlank() ? null
                : new String[][] {meter.valuePath().split("\\.")};
        this.groupBy = meter.groupBy();
    }

    public MeterDefinition meter() {
        return meter;
    }

    /** Type equal and every filter property equal (as text). */
    public boolean matches(UsageEvent event) {
        if (!meter.eventType().equals(event.type())) {
            return false;
        }
        for (Map.Entry<String, String> filter : meter.filter().entrySet()) {
            JsonNode value = at(event.data(), filter.getKey().split("\\."));
            if (value == null || value.isNull() || value.isContainerNode() || !filter.getValue().equals(value.asText())) {
                return false;
            }
        }
        return true;
    }

    /**
     * What the event contributes, or null when the meter needs a value the event lacks (counted as skipped).
     */
    public Contribution contribution(UsageEvent event) {
        Aggregation aggregation = meter.aggregation();
        if (aggregation == Aggregation.COUNT) {
            return new Contribution(1, null);
        }
        JsonNode node = valuePath == null ? null : at(event.data(), valuePath[0]);
        if (node == null || node.isNull() || node.isContainerNode()) {
            return null;
        }
        if (aggregation == Aggregation.UNIQUE_COUNT) {
            return new Contribution(0, node.asText());
        }
        if (node.isNumber() || node.isTextual()) {
            // the range the validator enforces (UsageNumbers): outside it, or text that is not a JSON number, is no value
            BigDecimal number = node.isNumber() ? decimal(node) : UsageNumbers.parseNumericText(node.textValue());
            double value = number == null ? Double.NaN : UsageNumbers.toCountable(number);
            return Double.isNaN(value) ? null : new Contribution(value, null);
        }
        return null;
    }

    private static BigDecimal decimal(JsonNode number) {
        return number.isFloatingPointNumber() && !number.isBigDecimal() && !Double.isFinite(number.doubleValue())
                ? null : number.decimalValue();
    }

    /** The group-by values of the event (missing properties are ""), in the meter's group-by order. */
    public Map<String, String> group(UsageEvent event) {
        Map<String, String> group = new LinkedHashMap<>();
        for (String property : groupBy) {
            JsonNode value = at(event.data(), property.split("\\."));
            group.put(property, value == null || value.isNull() || value.isContainerNode() ? "" : value.asText());
        }
        return group;
    }

    /** Stable text form of a group; never "" (that is the ungrouped total). */
    public static String groupKey(Map<String, String> group) {
        StringBuilder key = new StringBuilder();
        for (Map.Entry<String, String> entry : group.entrySet()) {
            if (key.length() > 0) {
                key.append('&');
            }
            key.append(encode(entry.getKey())).append('=').append(encode(entry.getValue()));
        }
        return key.toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static JsonNode at(ObjectNode data, String[] path) {
        JsonNode node = data;
        for (String part : path) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(part);
        }
        return node;
    }

    /** A numeric value (SUM, MAX, MIN, AVG, LAST; 1 for COUNT) or a distinct value (UNIQUE_COUNT). */
    public record Contribution(double value, String unique) {
    }
}
