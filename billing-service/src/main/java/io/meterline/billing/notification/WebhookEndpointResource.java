package io.meterline.billing.notification;

import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.model.period.UsagePeriodNotification;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Outgoing webhook endpoints and their deliveries (role {@code admin}): create, list, change, delete; the delivery
 * log per endpoint; replay of one delivery or of every dead one.
 */
@Path("/admin/webhook-endpoints")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class WebhookEndpointResource {

    static final Set<String> EVENT_TYPES = Set.of(UsagePeriodNotification.CLOSED, UsagePeriodNotification.REVISED);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Create or change; absent fields keep their value (create: all event types, enabled, a generated secret). */
    public record EndpointRequest(String url, String secret, List<String> eventTypes, Boolean enabled,
            String description) {
    }

    /** {@code secret} only in the answer to the creation. */
    public record EndpointResponse(String id, String url, List<String> eventTypes, boolean enabled, String description,
            Instant createdAt, String secret) {
    }

    public record DeliveryResponse(String id, String eventId, String eventType, String status, int attempts,
            Instant nextAttemptAt, Instant createdAt, Instant deliveredAt, Integer lastStatusCode, String lastError,
            List<DeliveryDocument.Attempt> log) {
    }

    public record ReplayResponse(int replayed) {
    }

    private final WebhookEndpointRepository endpoints;
    private final DeliveryRepository deliveries;

    public WebhookEndpointResource(WebhookEndpointRepository endpoints, DeliveryRepository deliveries) {
        this.endpoints = endpoints;
        this.deliveries = deliveries;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(EndpointRequest request) {
        if (request == null || request.url() == null) {
            throw BillingException.invalidParameter("url", "missing", "url is required");
        }
        WebhookEndpointDocument endpoint = new WebhookEndpointDocument();
        endpoint.id = "we_" + token(12);
        endpoint.secret = request.secret() != null ? secret(request.secret()) : "whsec_" + token(24);
        endpoint.eventTypes = List.copyOf(EVENT_TYPES);
        endpoint.enabled = true;
        endpoint.createdAt = new Date();
        apply(endpoint, request);
        endpoints.persist(endpoint);
        return Response.status(201).entity(toApi(endpoint, true)).build();
    }

    @GET
    public List<EndpointResponse> list() {
        return endpoints.listAll().stream().map(endpoint -> toApi(endpoint, false)).toList();
    }

    @GET
    @Path("/{id}")
    public EndpointResponse get(@PathParam("id") String id) {
        return toApi(find(id), false);
    }

    @PATCH
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{id}")
    public EndpointResponse update(@PathParam("id") String id, EndpointRequest request) {
        WebhookEndpointDocument endpoint = find(id);
        if (request != null) {
            if (request.secret() != null) {
                endpoint.secret = secret(request.secret());
            }
            apply(endpoint, request);
        }
        endpoints.update(endpoint);
        return toApi(endpoint, false);
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") String id) {
        endpoints.delete(find(id));
        return Response.noContent().build();
    }

    /** The endpoint's delivery log, newest first: every delivery with every attempt. */
    @GET
    @Path("/{id}/deliveries")
    public List<DeliveryResponse> deliveries(@PathParam("id") String id, @QueryParam("status") String status,
            @QueryParam("limit") Integer limit) {
        find(id);
        if (status != null && !Set.of(DeliveryDocument.PENDING, DeliveryDocument.DELIVERED, DeliveryDocument.DEAD,
                DeliveryDocument.DRY_RUN).contains(status)) {
            throw BillingException.invalidParameter("status", "invalid_value", "status must be pending, delivered, dead or dry_run");
        }
        int max = limit == null ? 100 : limit;
        if (max < 1 || max > 1000) {
            throw BillingException.invalidParameter("limit", "out_of_range", "limit must be between 1 and 1000");
        }
        return deliveries.forEndpoint(id, status, max).stream().map(WebhookEndpointResource::toApi).toList();
    }

    /** Sends one dead (or delivered) delivery again, with the same id. */
    @POST
    @Path("/{id}/deliveries/{deliveryId}/replay")
    public DeliveryResponse replay(@PathParam("id") String id, @PathParam("deliveryId") String deliveryId) {
        find(id);
        DeliveryDocument delivery = deliveries.find(deliveryId);
        if (delivery == null || !delivery.endpointId.equals(id)) {
            throw new BillingException(ErrorCode.DELIVERY_NOT_FOUND, "no delivery " + deliveryId + " for endpoint " + id);
        }
        if (!deliveries.replay(delivery, new Date())) {
            throw new BillingException(ErrorCode.DELIVERY_NOT_REPLAYABLE, "delivery " + deliveryId + " is " + delivery.status);
        }
        return toApi(deliveries.find(deliveryId));
    }

    /** Sends every dead delivery of the endpoint again. */
    @POST
    @Path("/{id}/replay")
    public ReplayResponse replayDead(@PathParam("id") String id) {
        find(id);
        int replayed = 0;
        Date now = new Date();
        for (DeliveryDocument delivery : deliveries.forEndpoint(id, DeliveryDocument.DEAD, 100_000)) {
            if (deliveries.replay(delivery, now)) {
                replayed++;
            }
        }
        return new ReplayResponse(replayed);
    }

    private WebhookEndpointDocument find(String id) {
        WebhookEndpointDocument endpoint = endpoints.findById(id);
        if (endpoint == null) {
            throw new BillingException(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND, "no webhook endpoint " + id);
        }
        return endpoint;
    }

    private static void apply(WebhookEndpointDocument endpoint, EndpointRequest request) {
        if (request.url() != null) {
            endpoint.url = url(request.url());
        }
        if (request.eventTypes() != null) {
            if (request.eventTypes().isEmpty() || !EVENT_TYPES.containsAll(request.eventTypes())) {
                throw BillingException.invalidParameter("eventTypes", "invalid_value",
                        "eventTypes must be a non-empty subset of " + EVENT_TYPES);
            }
            endpoint.eventTypes = List.copyOf(request.eventTypes());
        }
        if (request.enabled() != null) {
            endpoint.enabled = request.enabled();
        }
        if (request.description() != null) {
            endpoint.description = request.description();
        }
        endpoint.updatedAt = new Date();
    }

    private static String url(String text) {
        try {
            URI uri = URI.create(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return text;
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw BillingException.invalidParameter("url", "invalid_url", "url must be an absolute http(s) URL");
    }

    private static String secret(String secret) {
        if (secret.length() < 16) {
            throw BillingException.invalidParameter("secret", "too_short", "secret must have at least 16 characters");
        }
        return secret;
    }

    private static String token(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private static EndpointResponse toApi(WebhookEndpointDocument endpoint, boolean withSecret) {
        return new EndpointResponse(endpoint.id, endpoint.url, endpoint.eventTypes, endpoint.enabled,
                endpoint.description, endpoint.createdAt.toInstant(), withSecret ? endpoint.secret : null);
    }

    private static DeliveryResponse toApi(DeliveryDocument delivery) {
        return new DeliveryResponse(delivery.id, delivery.eventId, delivery.eventType, delivery.status,
                delivery.attempts, instant(delivery.nextAttemptAt), instant(delivery.createdAt),
                instant(delivery.deliveredAt), delivery.lastStatusCode, delivery.lastError,
                delivery.log == null ? new ArrayList<>() : delivery.log);
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
