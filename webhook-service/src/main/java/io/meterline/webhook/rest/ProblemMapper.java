package io.meterline.webhook.rest;

import io.meterline.model.api.CommonProblem;
import io.meterline.model.api.Problem;
import io.meterline.model.api.ProblemCode;
import io.meterline.webhook.domain.ErrorCode;
import io.meterline.webhook.domain.WebhookException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/**
 * Maps every error of the service to {@code application/problem+json}, once, at the edge: domain codes, the
 * refusals of the security and routing layers, and unexpected errors (logged, answered without message or class).
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response map(WebhookException e) {
        Response.ResponseBuilder builder = problem(e.code(), e.getMessage());
        if (e.code() == ErrorCode.STORE_UNAVAILABLE) {
            builder.header("Retry-After", "5");
        }
        return builder.build();
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated(Exception e) {
        return problem(CommonProblem.UNAUTHENTICATED, "a valid bearer token is required")
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return problem(CommonProblem.FORBIDDEN, "the token lacks the admin role").build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        return Response.status(status.getStatusCode()).type(Problem.MEDIA_TYPE)
                .entity(CommonProblem.forStatus(status.getStatusCode(), status.getReasonPhrase())).build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("unexpected error", e);
        return problem(CommonProblem.INTERNAL, CommonProblem.INTERNAL_DETAIL).build();
    }

    private static Response.ResponseBuilder problem(ProblemCode code, String detail) {
        return Response.status(code.status()).type(Problem.MEDIA_TYPE).entity(code.problem(detail, List.of()));
    }
}
