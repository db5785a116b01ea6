package io.meterline.ingest.domain;

import io.meterline.model.UsageEvent;
import io.meterline.model.Violation;

import java.util.List;

/**
 * The triage result of the event at {@code index} of a request. {@code id} and {@code source} echo the body
 * when they were strings, so a producer can match answers to events even for rejected ones. {@code dataJson} is
 * the event's data as the validator serialised it for its size check, reused for the record value.
 */
public record EventOutcome(int index, String id, String source, EventStatus status, UsageEvent event,
        List<Violation> errors, String dataJson) {

    /** An outcome without the event's data as JSON (rejected events; the publisher then serialises the data). */
    public EventOutcome(int index, String id, String source, EventStatus status, UsageEvent event,
            List<Violation> errors) {
        this(index, id, source, status, event, errors, null);
    }

    public Violation firstError() {
        return errors.isEmpty() ? null : errors.get(0);
    }
}
