package io.meterline.billing.reporting;

import io.meterline.billing.problem.BillingException;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

/** The reporting lease (role {@code admin}): who holds it and when it was last renewed; break it when its holder is dead. */
@Path("/admin/report-lease")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class ReportLeaseResource {

    private final ReportingService reporting;

    public ReportLeaseResource(ReportingService reporting) {
        this.reporting = reporting;
    }

    /** The live lease, or 204 when nobody holds it. */
    @GET
    public Response get() {
        var lease = reporting.currentLease();
        return lease == null ? Response.noContent().build() : Response.ok(lease).build();
    }

    /** Breaks the lease of {@code holder} (as named by the 409 or {@code GET}); answers with the audit record. */
    @DELETE
    public ReportRun breakLease(@QueryParam("holder") String holder, @Context SecurityContext security) {
        if (holder == null || holder.isBlank()) {
            throw BillingException.invalidParameter("holder", "missing",
                    "holder is required: the lease holder's id, as the 409 answer or GET /admin/report-lease names it");
        }
        String by = security.getUserPrincipal() == null ? "admin" : security.getUserPrincipal().getName();
        return reporting.breakLease(holder.trim(), by);
    }
}
