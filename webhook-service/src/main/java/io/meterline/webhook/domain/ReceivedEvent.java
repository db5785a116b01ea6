package io.meterline.webhook.domain;

/**
 * The envelope of a verified Stripe event: enough to store, list and order it.
 *
 * @param created  epoch seconds (Stripe's resolution)
 * @param objectId id of the object the event is about ({@code data.object.id} or {@code related_object.id}), may be null
 */
public record ReceivedEvent(String id, String type, long created, boolean livemode, String apiVersion, String objectId) {
}
