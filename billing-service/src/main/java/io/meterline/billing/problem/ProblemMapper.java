package io.meterline.billing.problem;

import io.meterline.model.Violation;
import io.meterline.model.api.CommonProblem;
import io.meterline.model.api.Problem;
import io.meterline.model.api.ProblemCode;
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
 * The one place errors become HTTP answers: RFC 9457 problem details for every 4xx and 5xx, the refusals of the
 * security and routing layers included. Unexpected errors are logged and answered without their message or class.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response apiException(BillingException exception) {
        return problem(exception.code(), exception.getMessage(), exception.violations()).build();
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated(Exception e) {
        return problem(CommonProblem.UNAUTHENTICATED, "a valid bearer token is required", List.of())
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return problem(CommonProblem.FORBIDDEN, "the token lacks the role this operation needs", List.of()).build();
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
        return problem(CommonProblem.INTERNAL, CommonProblem.INTERNAL_DETAIL, List.of()).build();
    }

    private static Response.ResponseBuilder problem(ProblemCode code, String detail, List<Violation> violations) {
        return Response.status(code.status()).type(Problem.MEDIA_TYPE).entity(code.problem(detail, violations));
    }
}
