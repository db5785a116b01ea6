package io.meterline.billing.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterline.billing.config.SourceConfig;
import io.meterline.model.UsageEventJson;

/**
 * Turns one provider record into a usage event (JSON, the topic's schema) by the source's field paths, flagged with
 * the extension {@code reconciled: true}. Pure; the shared validator then decides whether it is a valid event.
 */
final class SourceRecordMapper {

    static final String RECONCILED = "reconciled";

    private SourceRecordMapper() {
    }

    static ObjectNode toEvent(JsonNode record, SourceConfig source) {
        ObjectNode event = UsageEventJson.mapper().createObjectNode();
        copy(record, source.idPath(), event, "id");
        event.put("source", source.eventSource());
        if (source.typePath().isPresent()) {
            copy(record, source.typePath().get(), event, "type");
        } else {
            source.eventType().ifPresent(type -> event.put("type", type));
        }
        copy(record, source.subjectPath(), event, "subject");
        copy(record, source.timePath(), event, "time");
        ObjectNode data = event.putObject("data");
        source.valuePath().ifPresent(path -> {
            JsonNode value = at(record, path);
            if (!value.isMissingNode()) {
                data.set(source.valueField(), value);
            }
        });
        event.put(RECONCILED, true);
        return event;
    }

    /** Ids are often numbers at providers: a scalar becomes its text, anything else is kept for the validator. */
    private static void copy(JsonNode record, String path, ObjectNode event, String field) {
        JsonNode value = at(record, path);
        if (value.isMissingNode()) {
            return;
        }
        event.set(field, value.isNumber() || value.isBoolean() ? event.textNode(value.asText()) : value);
    }

    static JsonNode at(JsonNode node, String dottedPath) {
        JsonNode current = node;
        for (String part : dottedPath.split("\\.")) {
            current = current.path(part);
        }
        return current;
    }
}
