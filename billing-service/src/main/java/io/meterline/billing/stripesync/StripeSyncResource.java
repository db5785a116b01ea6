package io.meterline.billing.stripesync;

import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Stripe's subscriptions next to Meterline's copies, with counts, samples and what to do (role {@code admin}). */
@Path("/admin/stripe-sync")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class StripeSyncResource {

    private final StripeSyncService sync;

    public StripeSyncResource(StripeSyncService sync) {
        this.sync = sync;
    }

    @GET
    public StripeSyncReport compare() {
        return sync.compare();
    }
}
