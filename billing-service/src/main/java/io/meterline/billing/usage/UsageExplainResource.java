package io.meterline.billing.usage;

import io.meterline.billing.meter.MeterService;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.model.Violation;
import io.meterline.model.usage.MeterDefinition;
import io.meterline.model.usage.Windows;
import io.quarkus.security.Authenticated;
import io.meterline.billing.security.CustomerScope;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import java.util.List;

/**
 * {@code GET /v1/usage/explain?meter=…&customer=…&hour=…}: one hourly window explained down to its parts. Admins
 * see every customer; a token with a {@code customers} claim only those; otherwise {@code usage:read} is needed.
 */
@Path("/v1/usage/explain")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class UsageExplainResource {

    private final UsageExplainService explain;
    private final MeterService meters;
    private final CustomerScope scope;

    public UsageExplainResource(UsageExplainService explain, MeterService meters, CustomerScope scope) {
        this.explain = explain;
        this.meters = meters;
        this.scope = scope;
    }

    @GET
    public UsageExplanation get(@QueryParam("meter") String meterKey, @QueryParam("customer") String customer,
            @QueryParam("hour") String hourText) {
        if (customer == null || customer.isBlank()) {
            throw BillingException.invalidParameter("customer", "missing", "customer is required");
        }
        scope.require(customer, "usage:read", "reading usage");
        if (meterKey == null || meterKey.isBlank()) {
            throw BillingException.invalidParameter("meter", "missing", "meter is required");
        }
        MeterDefinition meter = meters.find(meterKey);
        if (meter == null) {
            throw new BillingException(ErrorCode.METER_NOT_FOUND, "no meter with key " + meterKey,
                    List.of(new Violation("meter", "unknown", "no meter with key " + meterKey)));
        }
        if (hourText == null || hourText.isBlank()) {
            throw BillingException.invalidParameter("hour", "missing", "hour is required (RFC 3339, e.g. 2026-01-31T12:00:00Z)");
        }
        Instant hour;
        try {
            hour = Windows.hourStart(OffsetDateTime.parse(hourText).toInstant());
        } catch (DateTimeParseException e) {
            throw BillingException.invalidParameter("hour", "invalid_time", "hour must be an RFC 3339 timestamp with offset");
        }
        return explain.explain(meter, customer, hour);
    }
}
