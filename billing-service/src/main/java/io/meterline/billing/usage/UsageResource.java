package io.meterline.billing.usage;

import io.meterline.billing.aggregation.LiveWindows;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.meter.MeterService;
import io.meterline.billing.security.CustomerScope;
import io.meterline.model.usage.MeterDefinition;
import io.meterline.model.usage.WindowSize;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v1/usage}: a meter's windows for one customer. Tokens with {@code admin} see every customer; tokens
 * scoped with a {@code customers} claim see only those customers; otherwise {@code usage:read} sees every customer.
 */
@Path("/v1/usage")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class UsageResource {

    private static final Duration MAX_RANGE = Duration.ofDays(400);

    private final UsageQueryService usage;
    private final MeterService meters;
    private final CustomerScope scope;
    private final LiveWindows live;
    private final UsageOwnerForwarding forwarding;

    public UsageResource(UsageQueryService usage, MeterService meters, CustomerScope scope, LiveWindows live,
            UsageOwnerForwarding forwarding) {
        this.usage = usage;
        this.meters = meters;
        this.scope = scope;
        this.live = live;
        this.forwarding = forwarding;
    }

    @GET
    public UsageResponse get(@QueryParam("meter") String meterKey, @QueryParam("customer") String customer,
            @QueryParam("from") String fromText, @QueryParam("to") String toText,
            @QueryParam("window") String windowText, @QueryParam("tz") String tzText,
            @QueryParam("groupBy") List<String> groupByParams, @Context HttpHeaders headers, @Context UriInfo uri) {
        if (customer == null || customer.isBlank()) {
            throw BillingException.invalidParameter("customer", "missing", "customer is required");
        }
        authorize(customer);
        if (meterKey == null || meterKey.isBlank()) {
            throw BillingException.invalidParameter("meter", "missing", "meter is required");
        }
        MeterDefinition meter = meters.find(meterKey);
        if (meter == null) {
            throw new BillingException(ErrorCode.METER_NOT_FOUND, "no meter with key " + meterKey,
                    List.of(new io.meterline.model.Violation("meter", "unknown", "no meter with key " + meterKey)));
        }
        WindowSize size = windowText == null || windowText.isBlank() ? WindowSize.HOUR : WindowSize.parse(windowText);
        if (size == null) {
            throw BillingException.invalidParameter("window", "invalid_format",
                    "window must be one of hour, day, week, month, year");
        }
        ZoneId zone = zone(tzText);
        Instant to = toText == null || toText.isBlank() ? Instant.now() : instant("to", toText, zone);
        Instant from = fromText == null || fromText.isBlank() ? to.minus(Duration.ofDays(1)) : instant("from", fromText, zone);
        if (!from.isBefore(to)) {
            throw BillingException.invalidParameter("from", "invalid_range", "from must be before to");
        }
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw BillingException.invalidParameter("to", "range_too_large", "from and to may be at most 400 days apart");
        }
        List<String> groupBy = groupBy(groupByParams);
        for (String property : groupBy) {
            if (!meter.groupBy().contains(property)) {
                throw BillingException.invalidParameter("groupBy", "unknown_property", "meter " + meter.key()
                        + " is not grouped by " + property + "; its group-by properties are " + meter.groupBy());
            }
        }
        if (headers.getHeaderString(UsageOwnerForwarding.FORWARDED) == null) {
            // the instance running this customer's aggregation answers: its store is ahead of MongoDB
            Optional<UsageResponse> owners = live.remoteOwner(customer).flatMap(owner ->
                    forwarding.ask(owner, uri.getRequestUri(), headers.getHeaderString(HttpHeaders.AUTHORIZATION)));
            if (owners.isPresent()) {
                return owners.get();
            }
        }
        List<UsageResponse.Window> windows = new ArrayList<>();
        for (UsagePeriod period : usage.query(meter, customer, from, to, size, zone, groupBy)) {
            windows.add(new UsageResponse.Window(period.start(), period.end(), period.value(), period.eventCount(),
                    period.closed(), period.group()));
        }
        return new UsageResponse(meter.key(), customer, meter.aggregation(), size.name().toLowerCase(), zone.getId(),
                from, to, groupBy, windows);
    }

    private void authorize(String customer) {
        scope.require(customer, "usage:read", "reading usage");
    }

    private static ZoneId zone(String tz) {
        if (tz == null || tz.isBlank()) {
            return ZoneOffset.UTC;
        }
        try {
            return ZoneId.of(tz);
        } catch (DateTimeException e) {
            throw BillingException.invalidParameter("tz", "invalid_format",
                    "tz must be an IANA time zone such as Europe/Paris or an offset such as +02:00");
        }
    }

    /** An RFC 3339 instant, or a date (the start of that day in the requested zone); years 0000–9999 only. */
    private static Instant instant(String parameter, String text, ZoneId zone) {
        Instant instant;
        try {
            instant = text.length() == 10 ? LocalDate.parse(text).atStartOfDay(zone).toInstant()
                    : OffsetDateTime.parse(text).toInstant();
        } catch (java.time.DateTimeException e) {
            instant = null;
        }
        // java.time reads years up to ±999999999, RFC 3339 has four digits: beyond them window arithmetic overflows
        if (instant == null || instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw BillingException.invalidParameter(parameter, "invalid_time", parameter
                    + " must be an RFC 3339 timestamp (2026-01-31T12:00:00Z) or a date (2026-01-31), years 0000 to 9999");
        }
        return instant;
    }

    private static final Instant EARLIEST = Instant.parse("0000-01-02T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-30T00:00:00Z");

    private static List<String> groupBy(List<String> params) {
        List<String> properties = new ArrayList<>();
        if (params != null) {
            for (String param : params) {
                for (String part : param.split(",")) {
                    if (!part.isBlank() && !properties.contains(part.trim())) {
                        properties.add(part.trim());
                    }
                }
            }
        }
        return properties;
    }
}
