package io.meterline.webhook.service;

import io.meterline.webhook.domain.ErrorCode;
import io.meterline.webhook.domain.ReceivedEvent;
import io.meterline.webhook.domain.WebhookException;
import io.meterline.webhook.repository.WebhookEventRepository;
import io.meterline.webhook.stripe.StripeSignatureVerifier;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Verifies a delivery, stores it durably (once per event id) and hands it to the worker. */
@ApplicationScoped
public class EventIntakeService {

    private final StripeSignatureVerifier verifier;
    private final WebhookEventRepository events;
    private final ProcessingWorker worker;
    private final WebhookMetrics metrics;

    public EventIntakeService(StripeSignatureVerifier verifier, WebhookEventRepository events, ProcessingWorker worker,
                              WebhookMetrics metrics) {
        this.verifier = verifier;
        this.events = events;
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
        return events.insertIfAbsent(event, payload, "webhook")
                .onFailure(e -> !(e instanceof WebhookException))
                .transform(e -> new WebhookException(ErrorCode.STORE_UNAVAILABLE, "event could not be stored", e))
                .map(stored -> {
                    if (stored) {
                        worker.triggerNew(event.id());
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
