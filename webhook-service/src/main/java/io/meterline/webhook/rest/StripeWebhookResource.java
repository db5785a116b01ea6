package io.meterline.webhook.rest;

import io.meterline.webhook.service.EventIntakeService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Stripe's webhook endpoint. Answers 200 as soon as the event is stored (processing follows asynchronously), 200
 * with {@code duplicate: true} for a redelivery, 400 for a bad or stale signature (nothing stored), 503 when the
 * store is down (Stripe retries).
 */
@Path("/webhooks/stripe")
public class StripeWebhookResource {

    private final EventIntakeService intake;

    public StripeWebhookResource(EventIntakeService intake) {
        this.intake = intake;
    }

    /** The body is taken as the exact string Stripe signed: it must not be parsed before verification. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<DeliveryResponse> receive(@HeaderParam("Stripe-Signature") String signature, String body) {
        return intake.receive(body == null ? "" : body, signature)
                .map(result -> new DeliveryResponse(result.id(), result.type(), result.duplicate()));
    }

    public record DeliveryResponse(String id, String type, boolean duplicate) {
    }
}
