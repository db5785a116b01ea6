package io.meterline.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class UsageEventValidatorTests {

    static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    final UsageEventValidator validator = new UsageEventValidator(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(35));

    ObjectNode valid() {
        ObjectNode node = UsageEventJson.mapper().createObjectNode();
        node.put("id", "evt-1").put("source", "router").put("type", "call.minutes").put("subject", "cust-1")
                .put("time", "2026-11-21T11:59:00+01:00");
        node.putObject("data").put("minutes", 3);
        return node;
    }

    Violation onlyViolation(JsonNode node) {
        UsageEventValidator.Result result = validator.validate(node);
        assertThat(result.valid()).isFalse();
        assertThat(result.violations()).hasSize(1);
        return result.violations().get(0);
    }

    @Test
    void validEventIsParsedWithTimeInUtc() {
        UsageEventValidator.Result result = validator.validate(valid());
        assertThat(result.valid()).isTrue();
        assertThat(result.event().time()).isEqualTo(Instant.parse("2026-11-21T10:59:00Z"));
        assertThat(result.event().data().get("minutes").asInt()).isEqualTo(3);
    }

    @Test
    void reconciledExtensionIsAcceptedAndKeepsTheSameDedupKey() {
        ObjectNode recovered = valid();
        recovered.put("reconciled", true);
        UsageEventValidator.Result result = validator.validate(recovered);
        assertThat(result.valid()).isTrue();
        assertThat(result.event().dedupKey()).isEqualTo(validator.validate(valid()).event().dedupKey());
    }

    @Test
    void missingIdIsRejectedOnTheIdField() {
        ObjectNode node = valid();
        node.remove("id");
        assertThat(onlyViolation(node)).extracting(Violation::field, Violation::reason)
                .containsExactly("id", UsageEventValidator.MISSING);
    }

    @Test
    void everyMissingRequiredFieldIsReported() {
        UsageEventValidator.Result result = validator.validate(UsageEventJson.mapper().createObjectNode());
        assertThat(result.violations()).extracting(Violation::field)
                .containsExactly("id", "source", "type", "subject", "time");
    }

    @Test
    void unparsableTimeIsRejected() {
        assertThat(onlyViolation(valid().put("time", "yesterday")).reason()).isEqualTo(UsageEventValidator.INVALID_TIME);
        assertThat(onlyViolation(valid().put("time", "2026-11-21T11:00:00")).reason())
                .as("a time without offset is ambiguous").isEqualTo(UsageEventValidator.INVALID_TIME);
    }

    @Test
    void timeMoreThanFiveMinutesAheadIsRejected() {
        assertThat(validator.validate(valid().put("time", "2026-11-21T12:04:59Z")).valid()).isTrue();
        assertThat(onlyViolation(valid().put("time", "2026-11-21T12:05:01Z")).reason())
                .isEqualTo(UsageEventValidator.TIME_IN_FUTURE);
    }

    @Test
    void timeOlderThanLookbackIsRejected() {
        assertThat(validator.validate(valid().put("time", "2026-10-17T12:00:01Z")).valid()).isTrue();
        assertThat(onlyViolation(valid().put("time", "2026-10-17T11:59:59Z")).reason())
                .isEqualTo(UsageEventValidator.TIME_TOO_OLD);
    }

    @Test
    void eventsOfOneBatchAreJudgedAgainstTheWindowTakenWhenItCameIn() {
        UsageEventValidator.TimeWindow window = validator.window();
        assertThat(window).isEqualTo(new UsageEventValidator.TimeWindow(Instant.parse("2026-10-17T12:00:00Z"),
                Instant.parse("2026-11-21T12:05:00Z")));
        assertThat(validator.validate(valid().put("time", "2026-11-21T12:04:59Z"), window).valid()).isTrue();
        assertThat(validator.validate(valid().put("time", "2026-10-17T12:00:01Z"), window).valid()).isTrue();
        assertThat(validator.validate(valid().put("time", "2026-11-21T12:05:01Z"), window).firstViolation().reason())
                .isEqualTo(UsageEventValidator.TIME_IN_FUTURE);
        UsageEventValidator.TimeWindow later = new UsageEventValidator.TimeWindow(Instant.parse("2026-10-17T13:00:00Z"),
                Instant.parse("2026-11-21T13:05:00Z"));
        assertThat(validator.validate(valid().put("time", "2026-11-21T12:05:01Z"), later).valid()).isTrue();
        assertThat(validator.validate(valid().put("time", "2026-10-17T12:00:01Z"), later).firstViolation().reason())
                .isEqualTo(UsageEventValidator.TIME_TOO_OLD);
    }

    @Test
    void nonObjectDataIsRejected() {
        ObjectNode node = valid();
        node.putArray("data").add(1);
        assertThat(onlyViolation(node)).extracting(Violation::field, Violation::reason)
                .containsExactly("data", UsageEventValidator.NOT_AN_OBJECT);
    }

    @Test
    void oversizedFieldsAreRejected() {
        assertThat(onlyViolation(valid().put("subject", "s".repeat(257))).reason()).isEqualTo(UsageEventValidator.TOO_LONG);
        ObjectNode node = valid();
        node.putObject("data").put("blob", "x".repeat(UsageEventValidator.MAX_DATA_BYTES));
        assertThat(onlyViolation(node)).extracting(Violation::field, Violation::reason)
                .containsExactly("data", UsageEventValidator.TOO_LARGE);
    }

    @Test
    void nonStringAndBlankFieldsAreRejected() {
        assertThat(onlyViolation(valid().put("source", 12)).reason()).isEqualTo(UsageEventValidator.NOT_A_STRING);
        assertThat(onlyViolation(valid().put("source", "  ")).reason()).isEqualTo(UsageEventValidator.BLANK);
        assertThat(onlyViolation(valid().put("type", "call minutes")).reason()).isEqualTo(UsageEventValidator.INVALID_FORMAT);
    }

    @Test
    void eventRoundTripsThroughTheSharedJson() {
        UsageEvent event = validator.validate(valid().put("organization", "org-9")).event();
        UsageEvent back = validator.validate(UsageEventJson.parseTree(UsageEventJson.toBytes(event))).event();
        assertThat(back).isEqualTo(event);
        assertThat(new String(UsageEventJson.toBytes(event))).contains("\"time\":\"2026-11-21T10:59:00Z\"");
    }

    @Test
    void dedupKeyCannotCollideAcrossSourceAndIdBoundaries() {
        UsageEvent a = validator.validate(valid().put("source", "a|b").put("id", "c")).event();
        UsageEvent b = validator.validate(valid().put("source", "a").put("id", "b|c")).event();
        assertThat(a.dedupKey()).isNotEqualTo(b.dedupKey());
    }
}
