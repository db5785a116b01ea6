package io.meterline.ingest.rest;

import io.meterline.ingest.domain.SubjectScope;
import io.meterline.ingest.service.IngestService;
import io.meterline.model.cloudevents.UsageCloudEvents;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
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

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/** {@code POST /v1/events}: usage events in, one answer per event out. */
@Path("/v1/events")
@Tag(name = "ingest")
public class IngestResource {

    /** Claim naming the subjects a token may write for (absent = all). */
    static final String CUSTOMERS_CLAIM = "customers";

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
    @APIResponse(responseCode = "422", description = "A single event that was rejected (problem+json with errors)")
    @APIResponse(responseCode = "503", description = "Kafka unavailable; retry after Retry-After seconds")
    public Uni<RestResponse<IngestResponse>> ingest(byte[] body, @Context HttpHeaders headers) {
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
    @APIResponse(responseCode = "422", description = "The event was rejected (problem+json with errors)")
    @APIResponse(responseCode = "503", description = "Kafka unavailable; retry after Retry-After seconds")
    public Uni<RestResponse<IngestResponse>> ingestCloudEvent(byte[] body) {
        return answer(service.ingestCloudEvents(false, CloudEventsReader.structured(body), caller()));
    }

    @POST
    @Consumes(UsageCloudEvents.BATCH)
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed("usage:write")
    @SecurityRequirement(name = "jwt")
    @Operation(summary = "Ingest a batch of CloudEvents (JSON array, structured mode, at most ingest.max-batch-size)")
    @APIResponse(responseCode = "202", description = "Stored; per-event results in request order")
    @APIResponse(responseCode = "503", description = "Kafka unavailable; retry after Retry-After seconds")
    public Uni<RestResponse<IngestResponse>> ingestCloudEventBatch(byte[] body) {
        return answer(service.ingestCloudEvents(true, CloudEventsReader.batch(body), caller()));
    }

    private static Uni<RestResponse<IngestResponse>> answer(Uni<IngestService.IngestResult> result) {
        return result.map(stored -> RestResponse.status(RestResponse.Status.ACCEPTED,
                IngestResponse.toApi(stored.outcomes())));
    }

    private IngestService.Caller caller() {
        return new IngestService.Caller(token.getName(), scope());
    }

    private SubjectScope scope() {
        Object claim = token.getClaim(CUSTOMERS_CLAIM);
        if (claim == null) {
            return SubjectScope.unrestricted();
        }
        Set<String> subjects = new HashSet<>();
        if (claim instanceof JsonArray array) {
            for (JsonValue value : array) {
                if (value instanceof JsonString text) {
                    subjects.add(text.getString());
                }
            }
        } else if (claim instanceof Collection<?> values) {
            values.forEach(value -> subjects.add(String.valueOf(value)));
        } else if (claim instanceof JsonString text) {
            subjects.add(text.getString());
        } else {
            subjects.add(String.valueOf(claim));
        }
        // a present but empty claim scopes the token to nothing, never to everything
        return SubjectScope.only(subjects);
    }
}
