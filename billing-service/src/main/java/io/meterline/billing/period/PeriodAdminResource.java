package io.meterline.billing.period;

import io.meterline.billing.meter.MeterService;
import io.meterline.billing.problem.BillingException;
import io.meterline.model.usage.MeterDefinition;
import io.meterline.model.usage.WindowSize;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Duration;
import java.time.Instant;

/**
 * {@code POST /admin/periods/close {meter, size, from, to}}: closes the complete periods of the range now (open ones
 * come back as {@code skipped: period_open} with their completion time); {@code POST /admin/periods/catch-up} runs
 * the scheduled catch-up at once.
 */
@Path("/admin/periods")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class PeriodAdminResource {

    public record CloseRequest(String meter, String size, String from, String to) {
    }

    private static final Duration MAX_RANGE = Duration.ofDays(400);

    private final PeriodCloser closer;
    private final MeterService meters;

    public PeriodAdminResource(PeriodCloser closer, MeterService meters) {
        this.closer = closer;
        this.meters = meters;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/close")
    public CloseResult close(CloseRequest request) {
        if (request == null) {
            throw BillingException.invalidParameter("meter", "missing", "a JSON body {meter, size, from, to} is required");
        }
        MeterDefinition meter = PeriodResource.meter(meters, request.meter());
        if (request.size() == null) {
            throw BillingException.invalidParameter("size", "missing", "size is required");
        }
        WindowSize size = PeriodResource.size(request.size());
        Instant from = PeriodResource.instant("from", request.from());
        Instant to = PeriodResource.instant("to", request.to());
        if (!from.isBefore(to)) {
            throw BillingException.invalidParameter("from", "invalid_range", "from must be before to");
        }
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw BillingException.invalidParameter("to", "range_too_large", "from and to may be at most 400 days apart");
        }
        return closer.close(meter, size, from, to);
    }

    @POST
    @Path("/catch-up")
    public CloseResult catchUp() {
        return closer.closeDue("manual");
    }
}
