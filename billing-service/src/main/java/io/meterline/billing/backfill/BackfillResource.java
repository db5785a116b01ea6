package io.meterline.billing.backfill;

import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Admin operation (role {@code admin}): add a metered price to the subscriptions that lack it. */
@Path("/admin/backfill/metered-items")
@RolesAllowed("admin")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class BackfillResource {

    private final BackfillService backfill;

    public BackfillResource(BackfillService backfill) {
        this.backfill = backfill;
    }

    @POST
    public BackfillResponse backfill(BackfillRequest request) {
        return backfill.backfill(request);
    }
}
