package io.meterline.ingest.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterline.model.UsageEvent;
import io.meterline.model.UsageEventValidator;
import io.meterline.model.Violation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides, per event of a request and in request order, whether it is to be published, a duplicate of an
 * event earlier in the same request, or rejected (invalid, or outside the caller's scope). Pure: no I/O.
 */
public final class EventTriage {

    /** Reason code of an event whose subject the caller's token does not cover. */
    public static final String SUBJECT_OUT_OF_SCOPE = "subject_out_of_scope";

    private final UsageEventValidator validator;

    public EventTriage(UsageEventValidator validator) {
        this.validator = validator;
    }

    public List<EventOutcome> triage(List<JsonNode> nodes, SubjectScope scope) {
        return triage(nodes, null, scope);
    }

    /**
     * As {@link #triage(List, SubjectScope)}, with violations found before the event itself (a CloudEvents
     * envelope: specversion, content type), one list per node or null for none: such an event is rejected.
     */
    public List<EventOutcome> triage(List<JsonNode> nodes, List<List<Violation>> envelope, SubjectScope scope) {
        List<EventOutcome> outcomes = new ArrayList<>(nodes.size());
        // only accepted events count as "seen": a producer that fixes a rejected event and sends it again
        // later in the same batch gets it accepted
        Set<Identity> seen = new HashSet<>(nodes.size() * 2);
        UsageEventValidator.TimeWindow window = validator.window();
        for (int index = 0; index < nodes.size(); index++) {
            JsonNode node = nodes.get(index);
            String id = textOrNull(node, "id");
            String source = textOrNull(node, "source");
            if (envelope != null && !envelope.get(index).isEmpty()) {
                outcomes.add(new EventOutcome(index, id, source, EventStatus.REJECTED, null, envelope.get(index)));
                continue;
            }
            UsageEventValidator.Result result = validator.validate(node, window);
            if (!result.valid()) {
                outcomes.add(new EventOutcome(index, id, source, EventStatus.REJECTED, null, result.violations()));
                continue;
            }
            UsageEvent event = result.event();
            if (!scope.allows(event.subject())) {
                outcomes.add(new EventOutcome(index, id, source, EventStatus.REJECTED, null, List.of(
                        new Violation("subject", SUBJECT_OUT_OF_SCOPE,
                                "the token may not write usage for subject '" + event.subject() + "'"))));
                continue;
            }
            EventStatus status = seen.add(new Identity(event.source(), event.id()))
                    ? EventStatus.ACCEPTED : EventStatus.DUPLICATE_IN_BATCH;
            outcomes.add(new EventOutcome(index, id, source, status, event, List.of(), result.dataJson()));
        }
        return outcomes;
    }

    /** (source, id): the event's identity, as {@link UsageEvent#dedupKey()} without building that string per event. */
    private record Identity(String source, String id) {
    }

    private static String textOrNull(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }
}
