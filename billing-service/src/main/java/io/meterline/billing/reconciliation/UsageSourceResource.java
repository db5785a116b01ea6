package io.meterline.billing.reconciliation;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.ArrayList;
import java.util.List;

/**
 * Usage-source reconciliation (role {@code admin}). A push source posts its records
 * ({@code {"from", "to", "records": [...]}}); a pull source is run on demand with {@code POST …/{name}/runs}.
 */
@Path("/admin/reconciliations/sources")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class UsageSourceResource {

    private final UsageSourceService sources;

    public UsageSourceResource(UsageSourceService sources) {
        this.sources = sources;
    }

    /** A push source's records for a range: reconciled at once; answers the source run (201). */
    @POST
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response push(@PathParam("name") String name, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw BillingException.invalidParameter("body", "not_an_object", "the body must be a JSON object with records");
        }
        JsonNode records = body.get("records");
        if (records == null || !records.isArray()) {
            throw BillingException.invalidParameter("records", "not_an_array", "records must be an array of provider records");
        }
        Instant now = Instant.now();
        Instant from = ReconciliationResource.instant("from", body.path("from").asText(null), now.minus(Duration.ofDays(35)));
        Instant to = ReconciliationResource.instant("to", body.path("to").asText(null), now.plus(Duration.ofMinutes(5)));
        List<JsonNode> list = new ArrayList<>(records.size());
        records.forEach(list::add);
        return Response.status(Response.Status.CREATED).entity(sources.push(name, from, to, list)).build();
    }

    /** Runs a pull source now over [from, to) (default: the last day). */
    @POST
    @Path("/{name}/runs")
    public Response pull(@PathParam("name") String name, @QueryParam("from") String from, @QueryParam("to") String to) {
        Instant now = Instant.now();
        Instant end = ReconciliationResource.instant("to", to, now);
        Instant start = ReconciliationResource.instant("from", from, end.minus(Duration.ofDays(1)));
        if (!start.isBefore(end)) {
            throw BillingException.invalidParameter("to", "not_after_from", "to must be after from");
        }
        return Response.status(Response.Status.CREATED).entity(sources.pull(name, start, end, "manual")).build();
    }

    @GET
    @Path("/{name}/runs")
    public List<SourceRun> runs(@PathParam("name") String name, @QueryParam("limit") @DefaultValue("20") int limit) {
        return sources.recent(name, Math.max(1, Math.min(200, limit)));
    }

    @GET
    @Path("/runs/{id}")
    public SourceRun run(@PathParam("id") String id) {
        return sources.find(id);
    }
}
