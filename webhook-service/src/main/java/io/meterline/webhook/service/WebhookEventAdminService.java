package io.meterline.webhook.service;

import io.meterline.webhook.domain.ErrorCode;
import io.meterline.webhook.domain.EventStatus;
import io.meterline.webhook.domain.WebhookException;
import io.meterline.webhook.repository.WebhookEventRepository;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

import java.time.Instant;
import java.util.List;

/** Operator actions on stored events: list by status, replay one, replay every dead one. */
@ApplicationScoped
public class WebhookEventAdminService {

    private final WebhookEventRepository events;
    private final ProcessingWorker worker;

    public WebhookEventAdminService(WebhookEventRepository events, ProcessingWorker worker) {
        this.events = events;
        this.worker = worker;
    }

    public List<Document> list(EventStatus status, int limit) {
        return events.list(status, limit);
    }

    public Document get(String id) {
        return events.find(id).orElseThrow(() -> new WebhookException(ErrorCode.EVENT_NOT_FOUND, "no stored event " + id));
    }

    /** Makes the event pending with fresh attempts and processes it now. */
    public Document replay(String id) {
        Document replayed = events.replay(id, Instant.now()).orElseThrow(() -> events.exists(id)
                ? new WebhookException(ErrorCode.EVENT_BEING_PROCESSED, "event " + id + " is being processed")
                : new WebhookException(ErrorCode.EVENT_NOT_FOUND, "no stored event " + id));
        worker.trigger(id);
        replayed.remove("payload");
        return replayed;
    }

    /** Replays every dead event; returns their ids. */
    public List<String> replayDead() {
        List<String> ids = events.idsWithStatus(EventStatus.DEAD);
        Instant now = Instant.now();
        ids.removeIf(id -> events.replay(id, now).isEmpty());
        ids.forEach(worker::trigger);
        return ids;
    }
}
