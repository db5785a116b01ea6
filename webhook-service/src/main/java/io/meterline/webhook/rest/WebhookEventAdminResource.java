package io.meterline.webhook.rest;

import io.meterline.webhook.domain.ErrorCode;
import io.meterline.webhook.domain.EventStatus;
import io.meterline.webhook.domain.WebhookException;
import io.meterline.webhook.service.CatchUpService;
import io.meterline.webhook.service.WebhookEventAdminService;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.bson.Document;

import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Operator API over stored Stripe events (role {@code admin}). */
@Path("/admin/webhook-events")
@RolesAllowed("admin")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class WebhookEventAdminResource {

    private final WebhookEventAdminService admin;
    private final CatchUpService catchUp;

    public WebhookEventAdminResource(WebhookEventAdminService admin, CatchUpService catchUp) {
        this.admin = admin;
        this.catchUp = catchUp;
    }

    /** {@code ?status=pending|processing|processed|dead} (all when absent), newest first. */
    @GET
    public WebhookEventListResponse list(@QueryParam("status") String status,
                                           @QueryParam("limit") @DefaultValue("100") int limit) {
        EventStatus parsed = null;
        if (status != null && !status.isBlank()) {
            try {
                parsed = EventStatus.fromWire(status);
            } catch (IllegalArgumentException e) {
                throw new WebhookException(ErrorCode.INVALID_REQUEST,
                        "status must be one of pending, processing, processed, dead");
            }
        }
        List<WebhookEventResponse> items = admin.list(parsed, Math.max(1, Math.min(limit, 1000))).stream()
                .map(WebhookEventResponse::toApi).toList();
        return new WebhookEventListResponse(parsed == null ? null : parsed.wire(), items.size(), items);
    }

    @GET
    @Path("/{id}")
    public WebhookEventResponse get(@PathParam("id") String id) {
        return WebhookEventResponse.toApi(admin.get(id));
    }

    @POST
    @Path("/{id}/replay")
    public WebhookEventResponse replay(@PathParam("id") String id) {
        return WebhookEventResponse.toApi(admin.replay(id));
    }

    @POST
    @Path("/replay-dead")
    public ReplayAllResponse replayDead() {
        List<String> ids = admin.replayDead();
        return new ReplayAllResponse(ids.size(), ids);
    }

    @POST
    @Path("/catch-up")
    public CatchUpService.Result catchUp() {
        return catchUp.run();
    }

    /** One page of stored events, newest first. */
    public record WebhookEventListResponse(String status, int count, List<WebhookEventResponse> items) {
    }

    public record ReplayAllResponse(int replayed, List<String> ids) {
    }

    /** A stored event without its payload. */
    public record WebhookEventResponse(String id, String type, long created, String objectId, String source,
                                       String status, int attempts, int replays, String outcome, String lastError,
                                       Instant receivedAt, Instant nextAttemptAt, Instant processedAt) {

        static WebhookEventResponse toApi(Document doc) {
            Number created = (Number) doc.get("created");
            return new WebhookEventResponse(doc.getString("_id"), doc.getString("type"),
                    created == null ? 0 : created.longValue(), doc.getString("objectId"), doc.getString("source"),
                    doc.getString("status"), doc.getInteger("attempts", 0), doc.getInteger("replays", 0),
                    doc.getString("outcome"), doc.getString("lastError"), instant(doc, "receivedAt"),
                    instant(doc, "nextAttemptAt"), instant(doc, "processedAt"));
        }

        private static Instant instant(Document doc, String field) {
            Date date = doc.getDate(field);
            return date == null ? null : date.toInstant();
        }
    }
}
