package io.meterline.webhook.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterline.model.api.CommonProblem;
import io.meterline.model.api.Problem;
import io.meterline.model.http.BoundedBody;
import io.meterline.model.http.Routes;
import io.meterline.webhook.domain.ErrorCode;
import io.meterline.webhook.domain.WebhookException;
import io.meterline.webhook.service.EventIntakeService;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /webhooks/stripe}, Stripe's endpoint, as a plain Vert.x route (decision 0155): answers 200
 * {@code {"id","type","duplicate"}} once the event is stored (processing follows asynchronously), {@code duplicate:
 * true} for a redelivery, 400 for a bad or stale signature (nothing stored), 503 + {@code Retry-After} when the store
 * is down (Stripe retries), 413 for a body larger than {@code quarkus.http.limits.max-body-size}, 415 for a body that
 * is not JSON, 405 for another method — every refusal as problem+json, as the REST resource it replaces answered.
 *
 * <p>The body is taken as the exact bytes Stripe signed and is not parsed before verification. Signature check and
 * envelope read run on the I/O thread; the answer is written when the group commit holding the event is acknowledged.
 */
@ApplicationScoped
public class StripeWebhookRoute {

    static final String PATH = "/webhooks/stripe";
    private static final Logger LOG = Logger.getLogger(StripeWebhookRoute.class);

    private final EventIntakeService intake;
    private final ObjectMapper json;
    private final long maxBody;

    public StripeWebhookRoute(EventIntakeService intake, ObjectMapper json,
                              @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize maxBody) {
        this.intake = intake;
        this.json = json;
        this.maxBody = maxBody.asLongValue();
    }

    void register(@Observes Router router) {
        router.route(PATH).handler(this::handle);
    }

    void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        if (request.method() != HttpMethod.POST) {
            context.response().putHeader(HttpHeaders.ALLOW, "POST");
            problem(context, CommonProblem.forStatus(405, "Method Not Allowed"));
            return;
        }
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            problem(context, CommonProblem.forStatus(415, "Unsupported Media Type"));
            return;
        }
        if (BoundedBody.announcedOver(request, maxBody)) {
            tooLarge(context);
            return;
        }
        BoundedBody.read(request, maxBody, body -> receive(context, body.toString(StandardCharsets.UTF_8)),
                () -> tooLarge(context), failure -> failed(context, failure));
    }

    private void receive(RoutingContext context, String payload) {
        try {
            intake.receive(payload, context.request().getHeader("Stripe-Signature")).subscribe().with(
                    result -> send(context, 200, "application/json",
                            new DeliveryResponse(result.id(), result.type(), result.duplicate())),
                    failure -> failed(context, failure));
        } catch (RuntimeException e) {
            failed(context, e);
        }
    }

    /** What a delivery is answered with once stored. */
    public record DeliveryResponse(String id, String type, boolean duplicate) {
    }

    private void failed(RoutingContext context, Throwable failure) {
        if (failure instanceof WebhookException e) {
            if (e.code() == ErrorCode.STORE_UNAVAILABLE) {
                context.response().putHeader("Retry-After", "5");
            }
            problem(context, e.code().problem(e.getMessage(), List.of()));
        } else {
            LOG.error("unexpected error", failure);
            problem(context, CommonProblem.INTERNAL.problem(CommonProblem.INTERNAL_DETAIL, List.of()));
        }
    }

    private void tooLarge(RoutingContext context) {
        problem(context, ErrorCode.EVENT_TOO_LARGE.problem("body: the request body is larger than the " + maxBody
                + " bytes accepted", List.of()));
    }

    private void problem(RoutingContext context, Problem problem) {
        send(context, problem.status(), Problem.MEDIA_TYPE, problem);
    }

    private void send(RoutingContext context, int status, String type, Object body) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            LOG.error("cannot write an answer", e);
            context.fail(500);
            return;
        }
        Routes.end(context.response(), status, type, bytes);
    }
}
