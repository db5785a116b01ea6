package io.meterline.billing.balance;

import io.meterline.billing.meter.MeterService;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.billing.security.CustomerScope;
import io.meterline.model.Violation;
import io.meterline.model.usage.MeterDefinition;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/**
 * {@code GET /v1/entitlements/{customer}?meter=…}: may this customer start another unit of usage? Answered from
 * memory ({@link EntitlementCache}, at most about one refresh interval stale), on the I/O thread, never from
 * MongoDB. Token rules as for {@code /v1/usage}.
 */
@Path("/v1/entitlements/{customer}")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class EntitlementResource {

    private final EntitlementService entitlements;
    private final MeterService meters;
    private final CustomerScope scope;

    public EntitlementResource(EntitlementService entitlements, MeterService meters, CustomerScope scope) {
        this.entitlements = entitlements;
        this.meters = meters;
        this.scope = scope;
    }

    @GET
    public EntitlementResponse get(@PathParam("customer") String customer, @QueryParam("meter") String meter,
            @QueryParam("currency") String currency) {
        scope.require(customer, "usage:read", "reading entitlements");
        MeterDefinition definition = meter == null || meter.isBlank() ? null : meters.find(meter);
        if (meter != null && !meter.isBlank() && definition == null) {
            throw new BillingException(ErrorCode.METER_NOT_FOUND, "no meter with key " + meter,
                    List.of(new Violation("meter", "unknown", "no meter with key " + meter)));
        }
        if (currency != null && !currency.matches("[a-zA-Z]{3}")) {
            throw BillingException.invalidParameter("currency", "invalid", "currency must be a three-letter ISO 4217 code");
        }
        return entitlements.check(customer, definition == null ? null : meter, definition, currency);
    }
}
