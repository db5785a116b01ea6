package io.meterline.ingest.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterline.ingest.config.IngestConfig;
import io.meterline.ingest.domain.ErrorCode;
import io.meterline.ingest.domain.EventOutcome;
import io.meterline.ingest.domain.EventStatus;
import io.meterline.ingest.domain.EventTriage;
import io.meterline.ingest.domain.IngestException;
import io.meterline.ingest.domain.SubjectScope;
import io.meterline.ingest.messaging.UsageEventPublisher;
import io.meterline.model.UsageEventJson;
import io.meterline.model.UsageEventValidator;
import io.meterline.model.Violation;
import io.meterline.model.cloudevents.UsageCloudEvents;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One ingest request: parse, triage every event (validation, caller scope, duplicates within the request),
 * publish the accepted ones and answer only once Kafka acknowledged all of them.
 */
@ApplicationScoped
public class IngestService {

    private static final Logger LOG = Logger.getLogger(IngestService.class);

    private final EventTriage triage;
    private final UsageEventPublisher publisher;
    private final IngestMetrics metrics;
    private final IngestConfig config;
    private final Clock clock;

    public IngestService(UsageEventPublisher publisher, IngestMetrics metrics, IngestConfig config) {
        this.clock = Clock.systemUTC();
        this.triage = new EventTriage(new UsageEventValidator(clock, config.lookback()));
        this.publisher = publisher;
        this.metrics = metrics;
        this.config = config;
    }

    /** Who is calling: the token's principal and the subjects it may write for. */
    public record Caller(String principal, SubjectScope scope) {
    }

    /** The answer for a request whose accepted events are all stored. */
    public record IngestResult(boolean batch, List<EventOutcome> outcomes) {
    }

    public Uni<IngestResult> ingest(byte[] body, Caller caller) {
        return Uni.createFrom().completionStage(submit(body, caller));
    }

    /**
     * As {@link #ingest(byte[], Caller)} without Mutiny (for {@code EventRoute}): a request-level refusal is thrown, the
     * events are sent now, and the stage completes on the calling Vert.x context once Kafka acknowledged them all.
     */
    public CompletionStage<IngestResult> submit(byte[] body, Caller caller) {
        JsonNode root = parse(body);
        return store(root.isArray(), nodes(root), null, caller);
    }

    /**
     * Events a CloudEvents binding already turned into usage-event JSON (see {@code CloudEventsReader}): triaged
     * and answered like plain ones, those whose envelope is wrong (specversion, content type) rejected.
     */
    public Uni<IngestResult> ingestCloudEvents(boolean batch, List<UsageCloudEvents.Mapped> events, Caller caller) {
        if (batch) {
            checkBatchSize(events.size());
        }
        List<JsonNode> nodes = new ArrayList<>(events.size());
        List<List<Violation>> envelope = new ArrayList<>(events.size());
        for (UsageCloudEvents.Mapped event : events) {
            nodes.add(event.event());
            envelope.add(event.violations());
        }
        return Uni.createFrom().completionStage(store(batch, nodes, envelope, caller));
    }

    /**
     * Whether publishing now could make the calling thread wait in the producer's {@code send()} (for topic metadata or
     * buffer space); such requests must not publish from an event-loop thread.
     */
    public boolean publishMayBlock() {
        return publisher.mayBlock();
    }

    /** The body as JSON, or 400 {@code malformed_json}. */
    public static JsonNode parse(byte[] body) {
        try {
            return UsageEventJson.parseTree(body);
        } catch (UsageEventJson.InvalidJsonException e) {
            throw new IngestException(ErrorCode.MALFORMED_JSON, "the body is not valid JSON: " + e.getMessage());
        }
    }

    private CompletionStage<IngestResult> store(boolean batch, List<JsonNode> nodes, List<List<Violation>> envelope,
            Caller caller) {
        Instant receivedAt = clock.instant();
        List<EventOutcome> outcomes = triage.triage(nodes, envelope, caller.scope());

        List<EventOutcome> toPublish = new ArrayList<>(outcomes.size());
        int duplicates = 0;
        for (EventOutcome outcome : outcomes) {
            switch (outcome.status()) {
                case ACCEPTED -> toPublish.add(outcome);
                case DUPLICATE_IN_BATCH -> duplicates++;
                case REJECTED -> metrics.rejected(outcome.firstError().reason());
            }
        }
        metrics.duplicates(duplicates);
        if (!batch && outcomes.get(0).status() == EventStatus.REJECTED) {
            throw new IngestException(ErrorCode.INVALID_EVENT, "the event was rejected; see errors",
                    outcomes.get(0).errors(), null);
        }
        IngestResult result = new IngestResult(batch, outcomes);
        if (toPublish.isEmpty()) {
            return CompletableFuture.completedFuture(result);
        }
        // Kafka completes sends on its I/O thread; the answer is completed back on this request's context
        Context context = Vertx.currentContext();
        int count = toPublish.size();
        CompletableFuture<IngestResult> answer = new CompletableFuture<>();
        // sent now, on the calling thread (a worker for the REST resource and for batches, see EventRoute)
        publisher.publish(toPublish, caller.principal(), receivedAt).whenComplete((ignored, failure) -> {
            Runnable complete = () -> {
                if (failure == null) {
                    metrics.accepted(count);
                    answer.complete(result);
                    return;
                }
                metrics.publishFailures(count);
                LOG.warnf("Kafka did not acknowledge %d events of %s: %s", count, caller.principal(), failure.toString());
                answer.completeExceptionally(new IngestException(ErrorCode.KAFKA_UNAVAILABLE,
                        "Kafka did not acknowledge the events in time; none of this request is reported accepted, "
                                + "send it again later (duplicates are removed downstream by source and id)",
                        List.of(), failure));
            };
            if (context != null) {
                context.runOnContext(ignoredToo -> complete.run());
            } else {
                complete.run();
            }
        });
        return answer;
    }

    private List<JsonNode> nodes(JsonNode root) {
        if (root.isObject()) {
            return List.of(root);
        }
        if (!root.isArray()) {
            throw new IngestException(ErrorCode.INVALID_BODY,
                    "the body must be one event object or a JSON array of event objects");
        }
        int size = root.size();
        checkBatchSize(size);
        List<JsonNode> nodes = new ArrayList<>(size);
        root.forEach(nodes::add);
        return nodes;
    }

    private void checkBatchSize(int size) {
        if (size == 0) {
            throw new IngestException(ErrorCode.EMPTY_BATCH, "the batch is empty");
        }
        if (size > config.maxBatchSize()) {
            throw new IngestException(ErrorCode.BATCH_TOO_LARGE, "the batch has " + size
                    + " events, at most " + config.maxBatchSize() + " are allowed per request; split it");
        }
    }
}
