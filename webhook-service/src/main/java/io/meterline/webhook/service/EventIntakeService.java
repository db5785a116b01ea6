package io.meterline.webhook.service;

import io.meterline.webhook.domain.ErrorCode;
import io.meterline.webhook.domain.ReceivedEvent;
import io.meterline.webhook.domain.WebhookException;
import io.meterline.webhook.stripe.StripeSignatureVerifier;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;

/**
 * Verifies a delivery, stores it durably (once per event id, by a group commit with the deliveries arriving at
 * the same time) and hands it to the worker.
 */
@ApplicationScoped
public class EventIntakeService {

    private final StripeSignatureVerifier verifier;
    /**
     * Largest body stored: a Mongo document holds at most 16 MiB, with room left for the envelope fields. Refused
     * before batching, so that it can never fail the batch it would have joined.
     */
    static final int MAX_STORED_BYTES = 16 * 1024 * 1024 - 64 * 1024;

    private final IntakeBatcher batcher;
    private final ProcessingWorker worker;
    private final WebhookMetrics metrics;

    public EventIntakeService(StripeSignatureVerifier verifier, IntakeBatcher batcher, ProcessingWorker worker,
                              WebhookMetrics metrics) {
        this.verifier = verifier;
        this.batcher = batcher;
        this.worker = worker;
        this.metrics = metrics;
    }

    /** Completes once the event is stored (or known to be stored already); fails with a {@link WebhookException}. */
    public Uni<Intake> receive(String payload, String signatureHeader) {
        metrics.received();
        ReceivedEvent event;
        try {
            event = verifier.verify(payload, signatureHeader);
        } catch (WebhookException e) {
            if (e.code() == ErrorCode.INVALID_SIGNATURE || e.code() == ErrorCode.STALE_SIGNATURE) {
                metrics.invalidSignature();
            }
            return Uni.createFrom().failure(e);
        }
        if (payload.length() > MAX_STORED_BYTES / 3 && payload.getBytes(StandardCharsets.UTF_8).length > MAX_STORED_BYTES) {
            return Uni.createFrom().failure(new WebhookException(ErrorCode.EVENT_TOO_LARGE,
                    "body: the event is larger than the " + MAX_STORED_BYTES + " bytes that can be stored"));
        }
        return batcher.store(event, payload)
                .onFailure(e -> !(e instanceof WebhookException))
                .transform(e -> new WebhookException(ErrorCode.STORE_UNAVAILABLE, "event could not be stored", e))
                .map(stored -> {
                    if (stored) {
                        worker.triggerNew(event, payload);
                    } else {
                        metrics.duplicate();
                    }
                    return new Intake(event.id(), event.type(), !stored);
                });
    }

    /** The answer to one delivery. */
    public record Intake(String id, String type, boolean duplicate) {
    }
}
