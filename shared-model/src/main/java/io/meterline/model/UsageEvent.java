package io.meterline.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.Objects;

/**
 * One usage event, CloudEvents-style. This is the value written to {@link Topics#USAGE_EVENTS}: the topic is a
 * public interface, so producers that write to Kafka directly use the same shape (see
 * {@code docs/schema/usage-event.json}).
 *
 * @param id           producer-chosen id; (source, id) identifies the event for deduplication
 * @param source       where the event comes from (a service, a device fleet...)
 * @param type         event type; meters select events by it
 * @param subject      the customer (or end user) the usage belongs to
 * @param time         when the usage happened (not when it was received)
 * @param data         event properties, always a JSON object (possibly empty)
 * @param organization optional organization the subject belongs to, the second path of customer resolution
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UsageEvent(String id, String source, String type, String subject, Instant time, ObjectNode data,
        String organization) {

    public UsageEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(time, "time");
        if (data == null) {
            data = UsageEventJson.mapper().createObjectNode();
        }
    }

    /** The deduplication key: an event is the same event when source and id are the same. */
    public String dedupKey() {
        return source.length() + ":" + source + "|" + id;
    }

    /** The Kafka record key: the subject, so one customer's events stay ordered on one partition. */
    public String partitionKey() {
        return subject;
    }
}
