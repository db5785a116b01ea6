package io.meterline.billing.usage;

import io.meterline.billing.meter.MeterService;
import io.meterline.billing.rest.ApiException;
import io.meterline.billing.rest.ErrorCode;
import io.meterline.model.Violation;
import io.meterline.model.usage.MeterDefinition;
import io.meterline.model.usage.Windows;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
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
    private final SecurityIdentity identity;
    private final JsonWebToken jwt;

    public UsageExplainResource(UsageExplainService explain, MeterService meters, SecurityIdentity identity,
            JsonWebToken jwt) {
        this.explain = explain;
        this.meters = meters;
        this.identity = identity;
        this.jwt = jwt;
    }

    @GET
    public UsageExplanation get(@QueryParam("meter") String meterKey, @QueryParam("customer") String customer,
            @QueryParam("hour") String hourText) {
        if (customer == null || customer.isBlank()) {
            throw ApiException.invalidParameter("customer", "missing", "customer is required");
        }
        authorize(customer);
        if (meterKey == null || meterKey.isBlank()) {
            throw ApiException.invalidParameter("meter", "missing", "meter is required");
        }
        MeterDefinition meter = meters.find(meterKey);
        if (meter == null) {
            throw new ApiException(ErrorCode.METER_NOT_FOUND, "no meter with key " + meterKey,
                    List.of(new Violation("meter", "unknown", "no meter with key " + meterKey)));
        }
        if (hourText == null || hourText.isBlank()) {
            throw ApiException.invalidParameter("hour", "missing", "hour is required (RFC 3339, e.g. 2026-01-31T12:00:00Z)");
        }
        Instant hour;
        try {
            hour = Windows.hourStart(OffsetDateTime.parse(hourText).toInstant());
        } catch (DateTimeParseException e) {
            throw ApiException.invalidParameter("hour", "invalid_time", "hour must be an RFC 3339 timestamp with offset");
        }
        return explain.explain(meter, customer, hour);
    }

    private void authorize(String customer) {
        if (identity.hasRole("admin")) {
            return;
        }
        Set<String> scope = customersClaim(jwt.getClaim("customers"));
        if (!scope.isEmpty()) {
            if (!scope.contains(customer)) {
                throw new ApiException(ErrorCode.FORBIDDEN_CUSTOMER,
                        "this token may read usage of " + scope + " only, not of " + customer);
            }
            return;
        }
        if (!identity.hasRole("usage:read")) {
            throw new ApiException(ErrorCode.FORBIDDEN, "reading usage needs the usage:read or admin role");
        }
    }

    private static Set<String> customersClaim(Object claim) {
        Set<String> customers = new LinkedHashSet<>();
        if (claim instanceof JsonArray array) {
            array.forEach(v -> customers.add(v instanceof JsonString text ? text.getString() : v.toString()));
        } else if (claim instanceof Collection<?> collection) {
            collection.forEach(v -> customers.add(String.valueOf(v)));
        } else if (claim instanceof JsonString text) {
            customers.add(text.getString());
        } else if (claim != null) {
            customers.add(String.valueOf(claim));
        }
        return customers;
    }
}
