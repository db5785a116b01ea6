package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One Stripe resource of the stand-in and the calls it answers under {@link #path()}. A call the resource does
 * not offer answers {@code null}, which the router turns into Stripe's "Unrecognized request URL". Adding a
 * resource is one class implementing this plus one {@code register} line in {@link StripeState}.
 */
interface StripeResource {

    /** Who caused a change: goes into the event's {@code request} field. */
    record Ctx(String requestId, String idempotencyKey) {
        static final Ctx NONE = new Ctx(null, null);
    }

    /** The path below the host, without slashes at either end: {@code v1/customers}, {@code v1/billing/meters}. */
    String path();

    /** {@code POST path}. */
    default JsonNode create(Params p, Ctx ctx) {
        return null;
    }

    /** {@code GET path}. */
    default JsonNode list(Params p) {
        return null;
    }

    /** {@code GET path/{id}}. */
    default JsonNode retrieve(String id, Params p, Ctx ctx) {
        return null;
    }

    /** {@code POST path/{id}}. */
    default JsonNode update(String id, Params p, Ctx ctx) {
        return null;
    }

    /** {@code DELETE path/{id}}. */
    default JsonNode delete(String id, Params p, Ctx ctx) {
        return null;
    }

    /** {@code METHOD path/{id}/{action}}, e.g. a meter's {@code event_summaries} or {@code deactivate}. */
    default JsonNode action(String method, String id, String action, Params p, Ctx ctx) {
        return null;
    }

    /** Forgets what the resource keeps outside the store's tables (the store clears those itself). */
    default void clear() {
    }
}
