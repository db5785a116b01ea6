package io.meterline.webhook.domain;

/** A claimed event as the processor sees it: the envelope, the raw delivery body and how often it was tried. */
public record StoredEvent(String id, String type, long created, String payload, int attempts) {
}
