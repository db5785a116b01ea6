package io.meterline.ingest.rest;

import io.meterline.ingest.domain.ErrorCode;
import io.meterline.model.api.Problem;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;

/**
 * Refuses a declared {@code Content-Length} above {@code quarkus.http.limits.max-body-size} with a problem+json
 * 413 before the body is read. Quarkus enforces the same limit itself (also for chunked bodies) but answers
 * with an empty body; this route runs just before it so producers get a message that says what to do.
 */
@ApplicationScoped
public class BodyLimitRoute {

    /** Just before Quarkus' own upload-limit route ({@code RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT} = -2). */
    private static final int ORDER = -3;

    private final long limit;

    public BodyLimitRoute(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit) {
        this.limit = limit.asLongValue();
    }

    void install(@Observes Router router) {
        Buffer body = Buffer.buffer(ProblemMappers.bytes(ErrorCode.BODY_TOO_LARGE.problem(
                "the request body is larger than " + limit + " bytes; send smaller batches", List.of())));
        router.post("/v1/events").order(ORDER).handler(context -> {
            String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && parse(length) > limit) {
                // the unread body would otherwise have to be drained: close the connection after answering
                context.response().setStatusCode(ErrorCode.BODY_TOO_LARGE.status())
                        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(body);
                return;
            }
            context.next();
        });
    }

    private static long parse(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
