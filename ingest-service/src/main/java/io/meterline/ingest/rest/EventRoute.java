package io.meterline.ingest.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterline.ingest.config.IngestConfig;
import io.meterline.ingest.domain.ErrorCode;
import io.meterline.ingest.domain.IngestException;
import io.meterline.ingest.service.IngestService;
import io.meterline.model.Violation;
import io.meterline.model.api.CommonProblem;
import io.meterline.model.api.Problem;
import io.meterline.model.api.ProblemCode;
import io.meterline.model.http.BoundedBody;
import io.meterline.model.http.Routes;
import io.meterline.model.security.TokenCache;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /v1/events} with {@code Content-Type: application/json} (plain events, one or a batch) on a plain
 * Vert.x route rather than through {@link IngestResource}: a single event is the producers' hottest call, and RESTEasy
 * Reactive's per-request machinery (request context, context propagation, security interceptors, the {@code @Blocking}
 * hand-off to a worker) cost more CPU than the event itself (decision 0152). The contract is the resource's, to the
 * byte: the same token rules ({@code usage:write}, the {@code customers} scope), {@link IngestService} doing the same
 * parsing, triage and publishing, the same 202 body, the same problem+json refusals and headers.
 *
 * <p>A single event is parsed, validated and sent on the I/O thread and answered from the producer's callback; a batch
 * (a body starting with {@code [}), or any request while {@link IngestService#publishMayBlock()} says the producer could
 * make its caller wait, does that work on a worker thread. Anything else on this path — CloudEvents (structured, batch
 * or binary mode), no or another {@code Content-Type}, an {@code Accept} that excludes JSON — goes on to the resource.
 */
@ApplicationScoped
public class EventRoute {

    private static final Logger LOG = Logger.getLogger(EventRoute.class);
    /** What RESTEasy Reactive writes for {@code @Produces(APPLICATION_JSON)}. */
    static final String JSON = "application/json;charset=UTF-8";
    private static final String WRITE_ROLE = "usage:write";

    /** The caller behind a verified token, as the resource would build it for every request. */
    private record Known(boolean writer, IngestService.Caller caller) {
    }

    private final IngestService service;
    private final ObjectMapper mapper;
    private final IngestConfig config;
    private final long limit;
    private final TokenCache<Known> known;

    public EventRoute(IngestService service, ObjectMapper mapper, IngestConfig config,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit) {
        this.service = service;
        this.mapper = mapper;
        this.config = config;
        this.limit = limit.asLongValue();
        this.known = new TokenCache<>(config.auth().tokenCacheSize(), config.auth().tokenCacheTtl());
    }

    void register(@Observes Router router) {
        router.post("/v1/events").handler(this::handle);
    }

    void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        if (!plainJson(request)) {
            context.next();
            return;
        }
        String token = Routes.bearerToken(request);
        Known hit = known.get(token);
        if (hit != null) {
            admitted(context, hit);
            return;
        }
        // the request stays paused (Quarkus pauses it before routing) until the body is read in admitted()
        QuarkusHttpUser.getSecurityIdentity(context, null).subscribe().with(
                identity -> {
                    if (identity == null || identity.isAnonymous()
                            || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
                        unauthenticated(context);
                        return;
                    }
                    Known caller = new Known(identity.hasRole(WRITE_ROLE), IngestResource.caller(jwt));
                    remember(token, jwt, caller);
                    admitted(context, caller);
                },
                failure -> {
                    if (failure instanceof AuthenticationFailedException) {
                        unauthenticated(context);
                    } else {
                        failed(context, failure);
                    }
                });
    }

    /** The requests the resource's {@code application/json} method would take that are not CloudEvents. */
    private static boolean plainJson(HttpServerRequest request) {
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || request.getHeader(CloudEventsReader.BINARY_MARKER) != null) {
            return false;
        }
        int end = type.indexOf(';');
        String media = (end < 0 ? type : type.substring(0, end)).trim();
        if (!media.equalsIgnoreCase("application/json")) {
            return false;
        }
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        return accept == null || accept.contains("*/*") || accept.toLowerCase(Locale.ROOT).contains("application/json");
    }

    private void remember(String token, JsonWebToken jwt, Known caller) {
        // only the identity built for exactly this token (never one Quarkus found elsewhere)
        if (token != null && token.equals(jwt.getRawToken())) {
            known.put(token, caller, jwt.getExpirationTime());
        }
    }

    /** Authenticated: check the role, then read at most the body limit (also of a chunked body) and ingest it. */
    private void admitted(RoutingContext context, Known caller) {
        if (!caller.writer()) {
            problem(context, CommonProblem.FORBIDDEN, ProblemMappers.FORBIDDEN_DETAIL, List.of());
            return;
        }
        BoundedBody.read(context.request(), limit, body -> ingest(context, caller.caller(), body.getBytes()),
                () -> failed(context, new IngestException(ErrorCode.BODY_TOO_LARGE,
                        "the request body is larger than " + limit + " bytes; send smaller batches")),
                failure -> failed(context, new IngestException(ErrorCode.MALFORMED_JSON,
                        "the body could not be read: " + failure.getMessage())));
    }

    private void ingest(RoutingContext context, IngestService.Caller caller, byte[] body) {
        if (batch(body) || service.publishMayBlock()) {
            // parse, validation, record writing and compression of up to max-batch-size events: not on the I/O thread
            context.vertx().executeBlocking(() -> service.submit(body, caller), false).onComplete(started -> {
                if (started.succeeded()) {
                    answer(context, started.result());
                } else {
                    failed(context, started.cause());
                }
            });
            return;
        }
        CompletionStage<IngestService.IngestResult> result;
        try {
            result = service.submit(body, caller);
        } catch (RuntimeException e) {
            failed(context, e);
            return;
        }
        answer(context, result);
    }

    private static boolean batch(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return b == '[';
            }
        }
        return false;
    }

    /** 202 once Kafka acknowledged (the stage completes on the request's context), else the failure's problem. */
    private void answer(RoutingContext context, CompletionStage<IngestService.IngestResult> result) {
        result.whenComplete((stored, failure) -> {
            if (failure == null) {
                byte[] body;
                try {
                    body = IngestResponseJson.bytes(stored.outcomes(), mapper);
                } catch (JsonProcessingException e) {
                    failed(context, e);
                    return;
                }
                end(context, 202, JSON, body);
            } else {
                failed(context, failure instanceof CompletionException wrapped && wrapped.getCause() != null
                        ? wrapped.getCause() : failure);
            }
        });
    }

    /** An {@link IngestException} as its problem and headers; anything else {@code 500 internal} (logged). */
    private void failed(RoutingContext context, Throwable failure) {
        if (failure instanceof IngestException e) {
            ProblemMappers.headers(e, config, context.response()::putHeader);
            problem(context, e.code(), e.getMessage(), e.errors());
        } else {
            LOG.error("unexpected error", failure);
            problem(context, CommonProblem.INTERNAL, CommonProblem.INTERNAL_DETAIL, List.of());
        }
    }

    private void unauthenticated(RoutingContext context) {
        context.response().putHeader("WWW-Authenticate", "Bearer");
        problem(context, CommonProblem.UNAUTHENTICATED, ProblemMappers.UNAUTHENTICATED_DETAIL, List.of());
    }

    private static void problem(RoutingContext context, ProblemCode code, String detail, List<Violation> errors) {
        end(context, code.status(), Problem.MEDIA_TYPE, ProblemMappers.bytes(code.problem(detail, errors)));
    }

    private static void end(RoutingContext context, int status, String type, byte[] bytes) {
        HttpServerResponse response = context.response();
        if (response.ended()) {
            return;
        }
        Future<Void> written = Routes.end(response, status, type, bytes);
        HttpServerRequest request = context.request();
        if ("close".equals(response.headers().get(HttpHeaders.CONNECTION)) && request.version() != HttpVersion.HTTP_2) {
            // a 413: the rest of the body is not read, the connection goes once the answer is out
            written.onComplete(ignored -> request.connection().close());
        }
    }
}
