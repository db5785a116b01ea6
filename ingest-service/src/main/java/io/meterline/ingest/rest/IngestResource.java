package io.meterline.ingest.rest;

import io.meterline.ingest.domain.ErrorCode;
import io.meterline.ingest.domain.IngestException;
import io.meterline.ingest.domain.SubjectScope;
import io.meterline.ingest.service.IngestService;
import io.meterline.model.security.CustomersClaim;
import io.smallrye.common.annotation.Blocking;
import io.meterline.model.cloudevents.UsageCloudEvents;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import java.io.IOException;
import java.io.InputStream;


/** {@code POST /v1/events}: usage events in, one answer per event out. */
@Path("/v1/events")
@Tag(name = "ingest")
public class IngestResource {

    private final IngestService service;
    private final JsonWebToken token;

    public IngestResource(IngestService service, JsonWebToken token) {
        this.service = service;
        this.token = token;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed("usage:write")
    @SecurityRequirement(name = "jwt")
    @Operation(summary = "Ingest one usage event or a batch (JSON array, at most ingest.max-batch-size)",
            description = "Answers 202 only after Kafka acknowledged every accepted event. Batches get a result "
                    + "per event in request order: accepted, duplicate_in_batch or rejected with errors.")
    @RequestBody(description = "A usage event object (id, source, type, subject, time, data) or an array of them")
    @APIResponse(responseCode = "202", description = "Stored; per-event results")
    @APIResponse(responseCode = "400", description = "Malformed JSON or body shape (problem+json)")
    @APIResponse(responseCode = "401", description = "No valid token (problem+json)")
    @APIResponse(responseCode = "403", description = "Token lacks role usage:write (problem+json)")
    @APIResponse(responseCode = "413", description = "Batch or body too large (problem+json)")
    @APIResponse(responseCode = "415", description = "No or another Content-Type than application/json (problem+json)")
    @APIResponse(responseCode = "422", description = "A single event that was rejected (problem+json with errors)")
    @APIResponse(responseCode = "503", description = "Kafka unavailable; retry after Retry-After seconds")
    @Blocking
    public Uni<RestResponse<IngestResponse>> ingest(@Context HttpHeaders headers, InputStream stream,
            RoutingContext context) {
        String contentType = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (contentType == null || contentType.isBlank()) {
            // @Consumes alone lets a request without the header through, and the body is then guessed at
            throw new NotSupportedException("send the body with Content-Type: application/json");
        }
        byte[] body = read(stream, BodyLimitRoute.limitOf(context));
        if (CloudEventsReader.isBinary(headers)) {
            return answer(service.ingestCloudEvents(false, CloudEventsReader.binary(headers, body), caller()));
        }
        return answer(service.ingest(body, caller()));
    }

    @POST
    @Consumes(UsageCloudEvents.STRUCTURED)
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed("usage:write")
    @SecurityRequirement(name = "jwt")
    @Operation(summary = "Ingest one CloudEvent (structured mode, specversion 1.0)",
            description = "Attributes id, source, type, subject, time, data; extension attribute organization. "
                    + "Answered like application/json. Binary mode: application/json data with ce-* headers.")
    @APIResponse(responseCode = "202", description = "Stored; per-event results")
    @APIResponse(responseCode = "413", description = "Body too large (problem+json)")
    @APIResponse(responseCode = "422", description = "The event was rejected (problem+json with errors)")
    @APIResponse(responseCode = "503", description = "Kafka unavailable; retry after Retry-After seconds")
    @Blocking
    public Uni<RestResponse<IngestResponse>> ingestCloudEvent(InputStream stream, RoutingContext context) {
        byte[] body = read(stream, BodyLimitRoute.limitOf(context));
        return answer(service.ingestCloudEvents(false, CloudEventsReader.structured(body), caller()));
    }

    @POST
    @Consumes(UsageCloudEvents.BATCH)
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed("usage:write")
    @SecurityRequirement(name = "jwt")
    @Operation(summary = "Ingest a batch of CloudEvents (JSON array, structured mode, at most ingest.max-batch-size)")
    @APIResponse(responseCode = "202", description = "Stored; per-event results in request order")
    @APIResponse(responseCode = "413", description = "Batch or body too large (problem+json)")
    @APIResponse(responseCode = "503", description = "Kafka unavailable; retry after Retry-After seconds")
    @Blocking
    public Uni<RestResponse<IngestResponse>> ingestCloudEventBatch(InputStream stream, RoutingContext context) {
        byte[] body = read(stream, BodyLimitRoute.limitOf(context));
        return answer(service.ingestCloudEvents(true, CloudEventsReader.batch(body), caller()));
    }

    private static Uni<RestResponse<IngestResponse>> answer(Uni<IngestService.IngestResult> result) {
        return result.map(stored -> RestResponse.status(RestResponse.Status.ACCEPTED,
                IngestResponse.toApi(stored.outcomes())));
    }

    private IngestService.Caller caller() {
        return caller(token);
    }

    /** Who is calling: the token's name and the subjects its {@code customers} claim allows (also {@link EventRoute}'s). */
    static IngestService.Caller caller(JsonWebToken token) {
        CustomersClaim claim = CustomersClaim.parse(token.getClaim(CustomersClaim.NAME));
        // a present but malformed or empty claim scopes the token to nothing, never to everything
        return new IngestService.Caller(token.getName(),
                claim.restricted() ? SubjectScope.only(claim.customers()) : SubjectScope.unrestricted());
    }

    /** The whole body; a chunked body longer than {@code limit} is refused as soon as it is (413). */
    private static byte[] read(InputStream stream, long limit) {
        try {
            if (limit < 0) {
                return stream.readAllBytes();
            }
            byte[] body = stream.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                throw new IngestException(ErrorCode.BODY_TOO_LARGE,
                        "the request body is larger than " + limit + " bytes; send smaller batches");
            }
            return body;
        } catch (IOException e) {
            throw new IngestException(ErrorCode.MALFORMED_JSON, "the body could not be read: " + e.getMessage());
        }
    }

}
