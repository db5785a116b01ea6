package io.meterline.webhook.domain;

/**
 * A claimed event as the processor sees it: the envelope, the raw delivery body, how often it was tried, and the
 * stored version this claim holds (completing it is a compare-and-set on that version).
 */
public record StoredEvent(String id, String type, long created, String payload, int attempts, long version) {
}
