package io.meterline.billing.problem;

import io.meterline.model.api.Problem;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place errors become HTTP answers: RFC 9457 problem details. */
public class ProblemMapper {

    @ServerExceptionMapper
    public Response apiException(ApiException exception) {
        ErrorCode code = exception.code();
        Problem problem = Problem.of(code.code(), code.title(), code.status(), exception.getMessage(),
                exception.violations());
        return Response.status(code.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }
}
