package io.meterline.billing.reporting;

import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
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
import jakarta.ws.rs.core.Response;

import java.util.List;

/** Stripe report runs (role {@code admin}): trigger one now, list recent ones, read one. */
@Path("/admin/report-runs")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class ReportRunResource {

    private final ReportingService reporting;

    public ReportRunResource(ReportingService reporting) {
        this.reporting = reporting;
    }

    /**
     * Runs a report now and answers with its record (201); 409 while another run holds the lease. {@code scope=full}
     * reads every window of the last 36 days instead of the windows changed since they were last settled.
     */
    @POST
    public Response trigger(@QueryParam("scope") @DefaultValue("changed") String scope) {
        ReportingService.Scope asked = switch (scope) {
            case "changed" -> ReportingService.Scope.CHANGED;
            case "full" -> ReportingService.Scope.FULL;
            default -> throw BillingException.invalidParameter("scope", "unknown_scope",
                    "scope must be changed (the default) or full");
        };
        ReportingService.Attempt attempt = reporting.run("manual", asked);
        if (attempt instanceof ReportingService.Busy busy) {
            throw new BillingException(ErrorCode.REPORT_RUN_IN_PROGRESS,
                    busy.detail());
        }
        return Response.status(Response.Status.CREATED).entity(((ReportingService.Ran) attempt).run()).build();
    }

    @GET
    public List<ReportRun> list(@QueryParam("limit") @DefaultValue("20") int limit) {
        return reporting.recent(Math.max(1, Math.min(200, limit)));
    }

    @GET
    @Path("/{id}")
    public ReportRun get(@PathParam("id") String id) {
        return reporting.find(id);
    }
}
