package io.meterline.billing.reconciliation;

import io.meterline.billing.problem.BillingException;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Reconciliation against Stripe (role {@code admin}): run one now ({@code POST}), list recent runs, read one with a
 * page of the windows that differ.
 */
@Path("/admin/reconciliations")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class ReconciliationResource {

    /** {@code from}/{@code to} as RFC 3339; both optional (default: Stripe's 35-day window up to now). */
    public record RunRequest(String from, String to, String customer, String meter, Boolean dryRun) {
    }

    private final ReconciliationService reconciliation;

    public ReconciliationResource(ReconciliationService reconciliation) {
        this.reconciliation = reconciliation;
    }

    /** Runs a reconciliation now and answers with its record (201); 409 while another run holds the lease. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response run(RunRequest body) {
        RunRequest request = body == null ? new RunRequest(null, null, null, null, null) : body;
        Instant now = Instant.now();
        Instant to = instant("to", request.to(), now);
        Instant from = instant("from", request.from(), now.minus(Duration.ofDays(35)));
        if (!from.isBefore(to)) {
            throw BillingException.invalidParameter("to", "not_after_from", "to must be after from");
        }
        ReconciliationRun run = reconciliation.run(new ReconciliationService.Request(from, to, blankToNull(request.customer()),
                blankToNull(request.meter()), Boolean.TRUE.equals(request.dryRun())), "manual");
        return Response.status(Response.Status.CREATED).entity(run).build();
    }

    @GET
    public List<ReconciliationRun> list(@QueryParam("limit") @DefaultValue("20") int limit) {
        return reconciliation.recent(Math.max(1, Math.min(200, limit)));
    }

    /** The run, with page {@code page} (from 0) of {@code size} differing windows. */
    @GET
    @Path("/{id}")
    public ReconciliationRun get(@PathParam("id") String id, @QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("size") @DefaultValue("100") int size) {
        if (page < 0) {
            throw BillingException.invalidParameter("page", "negative", "page must be 0 or more");
        }
        if (size < 1 || size > 1000) {
            throw BillingException.invalidParameter("size", "out_of_range", "size must be between 1 and 1000");
        }
        return reconciliation.find(id, page, size);
    }

    static Instant instant(String field, String value, Instant fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw BillingException.invalidParameter(field, "invalid_time", field + " must be an RFC 3339 timestamp with offset");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
