package io.meterline.ingest.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.meterline.ingest.config.IngestConfig;
import io.meterline.ingest.domain.ErrorCode;
import io.meterline.ingest.domain.IngestException;
import io.meterline.model.UsageEventJson;
import io.meterline.model.Violation;
import io.meterline.model.api.CommonProblem;
import io.meterline.model.api.Problem;
import io.meterline.model.api.ProblemCode;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;
import java.util.function.BiConsumer;

/** The one place errors become HTTP answers: {@code application/problem+json} bodies ({@link Problem}). */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    private final IngestConfig config;

    public ProblemMappers(IngestConfig config) {
        this.config = config;
    }

    /** The detail of every 401 (also {@link EventRoute}'s). */
    static final String UNAUTHENTICATED_DETAIL =
            "a valid bearer token (RS256, expected issuer and audience, not expired) is required";
    /** The detail of every 403 (also {@link EventRoute}'s). */
    static final String FORBIDDEN_DETAIL = "the token lacks the role this operation needs (usage:write)";

    @ServerExceptionMapper
    public RestResponse<byte[]> ingest(IngestException e) {
        RestResponse.ResponseBuilder<byte[]> response = problem(e.code(), e.getMessage(), e.errors());
        headers(e, config, response::header);
        return response.build();
    }

    /** The headers an {@link IngestException}'s answer carries besides its problem body. */
    static void headers(IngestException e, IngestConfig config, BiConsumer<String, String> header) {
        if (e.code() == ErrorCode.KAFKA_UNAVAILABLE) {
            header.accept(HttpHeaders.RETRY_AFTER, String.valueOf(config.retryAfterSeconds()));
        }
        if (e.code() == ErrorCode.BODY_TOO_LARGE) {
            // the rest of the body is unread: answer, then close rather than drain it
            header.accept("Connection", "close");
        }
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public RestResponse<byte[]> unauthenticated(Exception e) {
        return problem(CommonProblem.UNAUTHENTICATED, UNAUTHENTICATED_DETAIL, List.of())
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    @ServerExceptionMapper
    public RestResponse<byte[]> forbidden(ForbiddenException e) {
        return problem(CommonProblem.FORBIDDEN, FORBIDDEN_DETAIL, List.of()).build();
    }

    @ServerExceptionMapper
    public RestResponse<byte[]> web(WebApplicationException e) {
        var status = e.getResponse().getStatusInfo();
        return response(status.getStatusCode(), CommonProblem.forStatus(status.getStatusCode(), status.getReasonPhrase()))
                .build();
    }

    @ServerExceptionMapper
    public RestResponse<byte[]> unexpected(Throwable e) {
        LOG.error("unexpected error", e);
        return problem(CommonProblem.INTERNAL, CommonProblem.INTERNAL_DETAIL, List.of()).build();
    }

    private static RestResponse.ResponseBuilder<byte[]> problem(ProblemCode code, String detail, List<Violation> errors) {
        return response(code.status(), code.problem(detail, errors));
    }

    static RestResponse.ResponseBuilder<byte[]> response(int status, Problem problem) {
        return RestResponse.ResponseBuilder.<byte[]>create(status).type(Problem.MEDIA_TYPE).entity(bytes(problem));
    }

    static byte[] bytes(Problem problem) {
        try {
            return UsageEventJson.mapper().writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
