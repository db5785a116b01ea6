package io.meterline.billing.meter;

import io.meterline.billing.problem.ErrorCode;
import io.meterline.billing.problem.BillingException;
import io.meterline.model.Violation;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.Locale;

/** Admin API for meters (role {@code admin}). */
@Path("/v1/meters")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class MeterResource {

    private final MeterService meters;

    public MeterResource(MeterService meters) {
        this.meters = meters;
    }

    @GET
    public List<MeterResponse> list() {
        return meters.all().stream().map(MeterResponse::toApi).toList();
    }

    @GET
    @Path("/{key}")
    public MeterResponse get(@PathParam("key") String key) {
        MeterDefinition meter = meters.find(key);
        if (meter == null) {
            throw new BillingException(ErrorCode.METER_NOT_FOUND, "no meter with key " + key);
        }
        return MeterResponse.toApi(meter);
    }

    /** Creates or replaces the meter; 409 when it would change the aggregation of a meter that has usage. */
    @PUT
    @Path("/{key}")
    public MeterResponse put(@PathParam("key") String key, MeterRequest request) {
        if (request == null) {
            throw new BillingException(ErrorCode.INVALID_METER, "a JSON body is required",
                    List.of(new Violation("", "missing", "a JSON body is required")));
        }
        return MeterResponse.toApi(meters.save(toDomain(key, request)));
    }

    private static MeterDefinition toDomain(String key, MeterRequest request) {
        Aggregation aggregation = null;
        if (request.aggregation() != null) {
            try {
                aggregation = Aggregation.valueOf(request.aggregation().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BillingException(ErrorCode.INVALID_METER, "unknown aggregation " + request.aggregation(),
                        List.of(new Violation("aggregation", "invalid_format",
                                "aggregation must be one of SUM, COUNT, MAX, MIN, AVG, LAST, UNIQUE_COUNT")));
            }
        }
        return new MeterDefinition(key, request.eventType(), aggregation, request.valuePath(), request.filter(),
                request.groupBy(), request.stripeEventName(), request.stripePriceId());
    }
}
