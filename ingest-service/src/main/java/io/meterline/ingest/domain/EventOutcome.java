package io.meterline.ingest.domain;

import io.meterline.model.UsageEvent;
import io.meterline.model.Violation;

import java.util.List;

/**
 * The triage result of the event at {@code index} of a request. {@code id} and {@code source} echo the body
 * when they were strings, so a producer can match answers to events even for rejected ones.
 */
public record EventOutcome(int index, String id, String source, EventStatus status, UsageEvent event,
        List<Violation> errors) {

    public Violation firstError() {
        return errors.isEmpty() ? null : errors.get(0);
    }
}
