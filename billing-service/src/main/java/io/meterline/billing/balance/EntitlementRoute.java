package io.meterline.billing.balance;

import io.meterline.billing.meter.MeterService;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.billing.security.CustomerScope;
import io.meterline.model.Violation;
import io.meterline.model.usage.MeterDefinition;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;

/**
 * {@code GET /v1/entitlements/{customer}?meter=…&currency=…}: may this customer start another unit of usage? Answered
 * from memory ({@link EntitlementCache}, at most about one refresh interval stale) on the I/O thread, never from
 * MongoDB. A plain Vert.x route rather than a REST resource: the check is asked before every call a producer starts,
 * and RESTEasy Reactive's per-request machinery (CDI request context, context propagation, security interceptors,
 * template-path rebuild) cost several times the lookup itself (decision 0117). The answers are the resource's:
 * the same token rules as {@code /v1/usage} ({@link CustomerScope}), the same problem+json refusals.
 */
@ApplicationScoped
public class EntitlementRoute {

    private final EntitlementService entitlements;
    private final MeterService meters;
    private final RouteAnswers answers;

    public EntitlementRoute(EntitlementService entitlements, MeterService meters, RouteAnswers answers) {
        this.entitlements = entitlements;
        this.meters = meters;
        this.answers = answers;
    }

    void register(@Observes Router router) {
        answers.route(router, HttpMethod.GET, "/v1/entitlements/:customer", this::handle);
    }

    void handle(RoutingContext context, RouteAnswers.Caller known) {
        answers.authenticated(context, known, caller -> answer(context, caller));
    }

    private void answer(RoutingContext context, RouteAnswers.Caller caller) {
        String customer = context.pathParam("customer");
        String meter = context.request().getParam("meter");
        String currency = context.request().getParam("currency");
        try {
            caller.require(customer, "usage:read", "reading entitlements");
            MeterDefinition definition = meter == null || meter.isBlank() ? null : meters.find(meter);
            if (meter != null && !meter.isBlank() && definition == null) {
                throw new BillingException(ErrorCode.METER_NOT_FOUND, "no meter with key " + meter,
                        List.of(new Violation("meter", "unknown", "no meter with key " + meter)));
            }
            if (currency != null && !currency.matches("[a-zA-Z]{3}")) {
                throw BillingException.invalidParameter("currency", "invalid", "currency must be a three-letter ISO 4217 code");
            }
            EntitlementResponse response = entitlements.check(customer, definition == null ? null : meter, definition, currency);
            answers.send(context, 200, RouteAnswers.JSON, response);
        } catch (RuntimeException e) {
            answers.failed(context, e);
        }
    }
}
