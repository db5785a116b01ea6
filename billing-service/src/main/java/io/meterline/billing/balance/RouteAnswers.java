package io.meterline.billing.balance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterline.billing.config.BillingConfig;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.security.CustomerScope;
import io.meterline.model.Violation;
import io.meterline.model.api.CommonProblem;
import io.meterline.model.api.Problem;
import io.meterline.model.api.ProblemCode;
import io.meterline.model.security.CustomersClaim;
import io.meterline.model.http.Routes;
import io.meterline.model.security.TokenCache;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What the plain Vert.x routes of this package ({@link EntitlementRoute}, {@link MovementRoute}) share with the REST
 * resources: the caller's identity from Quarkus' HTTP security (the same bearer-token mechanism and verified-token
 * cache), and answers written as the resources' are — JSON through the application's {@link ObjectMapper}, refusals
 * as problem+json ({@code 401} with {@code WWW-Authenticate: Bearer}, a {@link BillingException}'s code and
 * violations, {@code 500 internal} without detail).
 */
@Singleton
public class RouteAnswers {

    private static final Logger LOG = Logger.getLogger(RouteAnswers.class);
    static final String JSON = "application/json";

    /**
     * Route order ahead of Quarkus' HTTP security: its filters are routes of order {@code -priority}, authentication
     * at priority 200 and RESTEasy Reactive's auth-failure pre-handler at 199 (which rebuilds a {@code RequestMapper}
     * for every request to find a metrics template), CORS at 300 and the request-id filter at 10,000 before them.
     */
    static final int BEFORE_SECURITY = -250;

    /** A verified caller: its identity, its token and the token's {@code customers} claim, read once per token. */
    record Caller(SecurityIdentity identity, JsonWebToken jwt, CustomersClaim customers) {

        static Caller of(SecurityIdentity identity, JsonWebToken jwt) {
            return new Caller(identity, jwt, CustomerScope.claimOf(jwt));
        }

        /** {@link CustomerScope#require}, without reading the claim again. */
        void require(String customer, String role, String operation) {
            CustomerScope.require(identity, jwt, customers, customer, role, operation);
        }
    }

    private final ObjectMapper mapper;
    private final TokenCache<Caller> known;

    public RouteAnswers(ObjectMapper mapper, BillingConfig config) {
        this.mapper = mapper;
        this.known = new TokenCache<>(config.auth().tokenCacheSize(), config.auth().tokenCacheTtl());
    }

    /**
     * Runs {@code then} with the request's verified bearer-token identity, or answers 401 (500 if security failed).
     * An identity Quarkus built for a token is reused for that exact token (the whole {@code Authorization} value)
     * until the token's {@code exp} or {@code billing.auth.token-cache-ttl}, whichever comes first — the lifetime the
     * verified-token cache already gives it (0114) — so a producer's checks do not rebuild it on every request (0118).
     */
    void authenticated(RoutingContext context, Consumer<Caller> then) {
        authenticated(context, known(context), then);
    }

    /** As {@link #authenticated(RoutingContext, Consumer)}, with the caller already looked up ({@code null}: none). */
    void authenticated(RoutingContext context, Caller hit, Consumer<Caller> then) {
        if (hit != null) {
            run(context, then, hit);
            return;
        }
        String authorization = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        QuarkusHttpUser.getSecurityIdentity(context, null).subscribe().with(
                identity -> {
                    if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
                        unauthenticated(context);
                        return;
                    }
                    Caller caller = Caller.of(identity, jwt);
                    remember(context, authorization, caller);
                    run(context, then, caller);
                },
                failure -> {
                    if (failure instanceof AuthenticationFailedException) {
                        unauthenticated(context);
                    } else {
                        failed(context, failure);
                    }
                });
    }

    /**
     * Adds a route twice (decision 0119). Ahead of Quarkus' HTTP security ({@link #BEFORE_SECURITY}) it takes the
     * requests whose bearer token's caller is already known and passes the others on; at its usual place it takes
     * those, which Quarkus authenticates as before. A known token's request so skips what it no longer needs: the
     * authentication handler's set-up and RESTEasy's template-path rebuild, about a tenth of billing's CPU per debit.
     * Both routes carry the path, so the HTTP metrics name it by its template as before. {@code handler} gets the
     * known caller, or {@code null}, for {@link #authenticated(RoutingContext, Caller, Consumer)}.
     */
    void route(Router router, HttpMethod method, String path, BiConsumer<RoutingContext, Caller> handler) {
        router.route(method, path).order(BEFORE_SECURITY).handler(context -> {
            Caller hit = known(context);
            if (hit == null) {
                context.next();
            } else {
                handler.accept(context, hit);
            }
        });
        router.route(method, path).handler(context -> handler.accept(context, null));
    }

    private void run(RoutingContext context, Consumer<Caller> then, Caller caller) {
        try {
            then.accept(caller);
        } catch (RuntimeException e) {
            failed(context, e);
        }
    }

    /**
     * The caller known for the request's whole {@code Authorization} value, or null. Keyed by the header as the
     * request carries it, not by the token cut out of it: a check then allocates no copy of its token (two copies of
     * ≈ 0.6 KB per request were 16 % of billing's allocation at 5,000 checks/s, docs/decisions/0156).
     */
    private Caller known(RoutingContext context) {
        return known.get(context.request().getHeader(HttpHeaders.AUTHORIZATION));
    }

    private void remember(RoutingContext context, String authorization, Caller caller) {
        // only the identity of exactly this bearer token (never one Quarkus found elsewhere, e.g. a session)
        String token = Routes.bearerToken(context.request());
        if (authorization != null && token != null && token.equals(caller.jwt().getRawToken())) {
            known.put(authorization, caller, caller.jwt().getExpirationTime());
        }
    }

    /** Answers an error: a {@link BillingException} as its problem, anything else as {@code 500 internal} (logged). */
    void failed(RoutingContext context, Throwable failure) {
        if (failure instanceof BillingException e) {
            problem(context, e.code(), e.getMessage(), e.violations());
        } else {
            LOG.error("unexpected error", failure);
            problem(context, CommonProblem.INTERNAL, CommonProblem.INTERNAL_DETAIL, List.of());
        }
    }

    void problem(RoutingContext context, ProblemCode code, String detail, List<Violation> violations) {
        send(context, code.status(), Problem.MEDIA_TYPE, code.problem(detail, violations));
    }

    void send(RoutingContext context, int status, String type, Object body) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            LOG.error("cannot write an answer", e);
            context.fail(500);
            return;
        }
        Routes.end(context.response(), status, type, bytes);
    }

    private void unauthenticated(RoutingContext context) {
        context.response().putHeader("WWW-Authenticate", "Bearer");
        problem(context, CommonProblem.UNAUTHENTICATED, "a valid bearer token is required", List.of());
    }
}
