package io.meterline.billing.period;

import io.meterline.billing.meter.MeterService;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.billing.security.CustomerScope;
import io.meterline.model.Violation;
import io.meterline.model.usage.MeterDefinition;
import io.meterline.model.usage.WindowSize;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/periods?meter&customer&size&from&to}: the closed periods of a meter and customer, every revision,
 * oldest first. Same access rules as {@code /v1/usage}: admin or usage:read, or a token scoped to the customer.
 */
@Path("/v1/periods")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class PeriodResource {

    /** One revision of a closed period. */
    public record PeriodResponse(String id, String meter, String customer, Map<String, String> group, String size,
            Instant start, Instant end, String timeZone, String aggregation, double value, long eventCount,
            int revision, Double previousValue, Long previousEventCount, String reason, Instant closedAt,
            boolean latest) {
    }

    public record PeriodsResponse(String meter, String customer, String size, Instant from, Instant to,
            List<PeriodResponse> periods) {
    }

    private final PeriodRepository periods;
    private final MeterService meters;
    private final CustomerScope scope;

    public PeriodResource(PeriodRepository periods, MeterService meters, CustomerScope scope) {
        this.periods = periods;
        this.meters = meters;
        this.scope = scope;
    }

    @GET
    public PeriodsResponse list(@QueryParam("meter") String meterKey, @QueryParam("customer") String customer,
            @QueryParam("size") String sizeText, @QueryParam("from") String fromText, @QueryParam("to") String toText) {
        if (customer == null || customer.isBlank()) {
            throw BillingException.invalidParameter("customer", "missing", "customer is required");
        }
        scope.require(customer, "usage:read", "reading periods");
        MeterDefinition meter = meter(meters, meterKey);
        WindowSize size = size(sizeText == null || sizeText.isBlank() ? "day" : sizeText);
        Instant to = toText == null || toText.isBlank() ? Instant.now() : instant("to", toText);
        Instant from = fromText == null || fromText.isBlank() ? to.minus(java.time.Duration.ofDays(31)) : instant("from", fromText);
        if (!from.isBefore(to)) {
            throw BillingException.invalidParameter("from", "invalid_range", "from must be before to");
        }
        List<PeriodDocument> documents = periods.list(meter.key(), customer, PeriodCalendar.sizeName(size),
                Date.from(from), Date.from(to));
        List<PeriodResponse> answer = new ArrayList<>(documents.size());
        for (int i = 0; i < documents.size(); i++) {
            PeriodDocument d = documents.get(i);
            boolean latest = i + 1 == documents.size() || !documents.get(i + 1).periodKey.equals(d.periodKey);
            answer.add(new PeriodResponse(d.id, d.meter, d.customer, d.group, d.size, d.start.toInstant(),
                    d.end.toInstant(), d.timeZone, d.aggregation, d.value, d.eventCount, d.revision, d.previousValue,
                    d.previousEventCount, d.reason, d.closedAt.toInstant(), latest));
        }
        return new PeriodsResponse(meter.key(), customer, PeriodCalendar.sizeName(size), from, to, answer);
    }

    static MeterDefinition meter(MeterService meters, String key) {
        if (key == null || key.isBlank()) {
            throw BillingException.invalidParameter("meter", "missing", "meter is required");
        }
        MeterDefinition meter = meters.find(key);
        if (meter == null) {
            throw new BillingException(ErrorCode.METER_NOT_FOUND, "no meter with key " + key,
                    List.of(new Violation("meter", "unknown", "no meter with key " + key)));
        }
        return meter;
    }

    static WindowSize size(String text) {
        WindowSize size = WindowSize.parse(text);
        if (size == null) {
            throw BillingException.invalidParameter("size", "invalid_format", "size must be one of hour, day, week, month, year");
        }
        return size;
    }

    static Instant instant(String field, String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException | NullPointerException e) {
            throw BillingException.invalidParameter(field, "invalid_time",
                    field + " must be an RFC 3339 timestamp such as 2026-01-31T00:00:00Z");
        }
    }
}
