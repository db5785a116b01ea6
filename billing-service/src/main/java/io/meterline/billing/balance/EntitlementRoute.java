package io.meterline.billing.balance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterline.billing.meter.MeterService;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.billing.security.CustomerScope;
import io.meterline.model.Violation;
import io.meterline.model.api.CommonProblem;
import io.meterline.model.api.Problem;
import io.meterline.model.api.ProblemCode;
import io.meterline.model.usage.MeterDefinition;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

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

    private static final Logger LOG = Logger.getLogger(EntitlementRoute.class);
    private static final String JSON = "application/json";

    private final EntitlementService entitlements;
    private final MeterService meters;
    private final ObjectMapper mapper;

    public EntitlementRoute(EntitlementService entitlements, MeterService meters, ObjectMapper mapper) {
        this.entitlements = entitlements;
        this.meters = meters;
        this.mapper = mapper;
    }

    void register(@Observes Router router) {
        router.get("/v1/entitlements/:customer").handler(this::handle);
    }

    void handle(RoutingContext context) {
        QuarkusHttpUser.getSecurityIdentity(context, null).subscribe().with(
                identity -> {
                    if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken)) {
                        unauthenticated(context);
                        return;
                    }
                    answer(context, identity);
                },
                failure -> {
                    if (failure instanceof AuthenticationFailedException) {
                        unauthenticated(context);
                    } else {
                        LOG.error("unexpected error", failure);
                        problem(context, CommonProblem.INTERNAL, CommonProblem.INTERNAL_DETAIL, List.of());
                    }
                });
    }

    private void answer(RoutingContext context, SecurityIdentity identity) {
        try {
            String customer = context.pathParam("customer");
            String meter = context.request().getParam("meter");
            String currency = context.request().getParam("currency");
            CustomerScope.require(identity, (JsonWebToken) identity.getPrincipal(), customer, "usage:read",
                    "reading entitlements");
            MeterDefinition definition = meter == null || meter.isBlank() ? null : meters.find(meter);
            if (meter != null && !meter.isBlank() && definition == null) {
                throw new BillingException(ErrorCode.METER_NOT_FOUND, "no meter with key " + meter,
                        List.of(new Violation("meter", "unknown", "no meter with key " + meter)));
            }
            if (currency != null && !currency.matches("[a-zA-Z]{3}")) {
                throw BillingException.invalidParameter("currency", "invalid", "currency must be a three-letter ISO 4217 code");
            }
            EntitlementResponse response = entitlements.check(customer, definition == null ? null : meter, definition, currency);
            send(context, 200, JSON, response);
        } catch (BillingException e) {
            problem(context, e.code(), e.getMessage(), e.violations());
        } catch (RuntimeException e) {
            LOG.error("unexpected error", e);
            problem(context, CommonProblem.INTERNAL, CommonProblem.INTERNAL_DETAIL, List.of());
        }
    }

    private void unauthenticated(RoutingContext context) {
        context.response().putHeader("WWW-Authenticate", "Bearer");
        problem(context, CommonProblem.UNAUTHENTICATED, "a valid bearer token is required", List.of());
    }

    private void problem(RoutingContext context, ProblemCode code, String detail, List<Violation> violations) {
        send(context, code.status(), Problem.MEDIA_TYPE, code.problem(detail, violations));
    }

    private void send(RoutingContext context, int status, String type, Object body) {
        try {
            context.response().setStatusCode(status).putHeader("Content-Type", type)
                    .end(Buffer.buffer(mapper.writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            LOG.error("cannot write an entitlement answer", e);
            context.fail(500);
        }
    }
}
