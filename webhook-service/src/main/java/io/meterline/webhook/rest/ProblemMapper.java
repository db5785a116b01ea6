package io.meterline.webhook.rest;

import io.meterline.model.api.Problem;
import io.meterline.webhook.domain.ErrorCode;
import io.meterline.webhook.domain.WebhookException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/** Maps every error of the service to {@code application/problem+json}, once, at the edge. */
public class ProblemMapper {

    @ServerExceptionMapper
    public Response map(WebhookException e) {
        return problem(e.code(), e.getMessage());
    }

    private static Response problem(ErrorCode code, String detail) {
        Problem body = Problem.of(code.code(), code.title(), code.status(), detail, List.of());
        Response.ResponseBuilder builder = Response.status(code.status()).type(Problem.MEDIA_TYPE).entity(body);
        if (code == ErrorCode.STORE_UNAVAILABLE) {
            builder.header("Retry-After", "5");
        }
        return builder.build();
    }
}
