package io.meterline.ingest.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.meterline.ingest.domain.EventOutcome;
import io.meterline.ingest.domain.EventStatus;
import io.meterline.model.Violation;

import java.util.ArrayList;
import java.util.List;

/**
 * The 202 answer: counts and one result per event, in request order, so a producer knows exactly what to
 * resend (only {@code rejected} events, after fixing them).
 */
public record IngestResponse(int accepted, int duplicates, int rejected, List<EventResult> results) {

    /** The outcome of the event at {@code index}; {@code errors} only for {@code rejected}. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record EventResult(int index, String id, String source, String status, List<Violation> errors) {

        static EventResult of(EventOutcome outcome) {
            return new EventResult(outcome.index(), outcome.id(), outcome.source(), outcome.status().code(),
                    outcome.errors());
        }
    }

    static IngestResponse toApi(List<EventOutcome> outcomes) {
        int accepted = 0;
        int duplicates = 0;
        int rejected = 0;
        List<EventResult> results = new ArrayList<>(outcomes.size());
        for (EventOutcome outcome : outcomes) {
            EventStatus status = outcome.status();
            switch (status) {
                case ACCEPTED -> accepted++;
                case DUPLICATE_IN_BATCH -> duplicates++;
                case REJECTED -> rejected++;
            }
            results.add(EventResult.of(outcome));
        }
        return new IngestResponse(accepted, duplicates, rejected, results);
    }
}
