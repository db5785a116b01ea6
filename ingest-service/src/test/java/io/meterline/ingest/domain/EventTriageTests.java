package io.meterline.ingest.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.model.UsageEventJson;
import io.meterline.model.UsageEventValidator;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EventTriageTests {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private final EventTriage triage = new EventTriage(
            new UsageEventValidator(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(35)));

    private static ObjectNode event(String id, String source, String subject) {
        ObjectNode node = UsageEventJson.mapper().createObjectNode();
        node.put("id", id).put("source", source).put("type", "api.call").put("subject", subject)
                .put("time", NOW.minusSeconds(60).toString());
        node.putObject("data").put("units", 1);
        return node;
    }

    @Test
    void repeatedSourceAndIdInOneBatchIsDuplicateInBatch() {
        List<EventOutcome> outcomes = triage.triage(List.<JsonNode>of(event("e1", "s", "acme"),
                event("e1", "s", "acme"), event("e1", "other-source", "acme")), SubjectScope.unrestricted());

        assertThat(outcomes).extracting(EventOutcome::status).containsExactly(EventStatus.ACCEPTED,
                EventStatus.DUPLICATE_IN_BATCH, EventStatus.ACCEPTED);
    }

    @Test
    void validEventAfterARejectedCopyIsAccepted() {
        ObjectNode broken = event("e1", "s", "acme").put("time", "yesterday");
        List<EventOutcome> outcomes = triage.triage(List.<JsonNode>of(broken, event("e1", "s", "acme")),
                SubjectScope.unrestricted());

        assertThat(outcomes).extracting(EventOutcome::status)
                .containsExactly(EventStatus.REJECTED, EventStatus.ACCEPTED);
        assertThat(outcomes.get(0).firstError().reason()).isEqualTo(UsageEventValidator.INVALID_TIME);
    }

    @Test
    void subjectOutsideTheTokenScopeIsRejected() {
        List<EventOutcome> outcomes = triage.triage(List.<JsonNode>of(event("e1", "s", "acme"),
                event("e2", "s", "globex")), SubjectScope.only(Set.of("acme")));

        assertThat(outcomes.get(0).status()).isEqualTo(EventStatus.ACCEPTED);
        assertThat(outcomes.get(1).status()).isEqualTo(EventStatus.REJECTED);
        assertThat(outcomes.get(1).firstError().field()).isEqualTo("subject");
        assertThat(outcomes.get(1).firstError().reason()).isEqualTo(EventTriage.SUBJECT_OUT_OF_SCOPE);
    }

    @Test
    void rejectedEventEchoesItsIdAndSourceWhenTheyAreStrings() {
        ObjectNode broken = event("e9", "s", "acme");
        broken.put("data", "not an object");
        EventOutcome outcome = triage.triage(List.<JsonNode>of(broken), SubjectScope.unrestricted()).get(0);

        assertThat(outcome.id()).isEqualTo("e9");
        assertThat(outcome.source()).isEqualTo("s");
        assertThat(outcome.firstError().reason()).isEqualTo(UsageEventValidator.NOT_AN_OBJECT);
    }

    @Test
    void emptyScopeClaimAllowsNoSubject() {
        assertThat(SubjectScope.only(Set.of()).allows("acme")).isFalse();
        assertThat(SubjectScope.unrestricted().allows("acme")).isTrue();
    }
}
