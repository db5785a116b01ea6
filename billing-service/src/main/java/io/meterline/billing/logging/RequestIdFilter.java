package io.meterline.billing.logging;

import io.meterline.model.logs.LogFields;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.MDC;

/**
 * Every HTTP request (API, console, {@code /q/*}) gets a request id: the caller's {@code X-Request-Id} when it is
 * well-formed, else a new one. It is echoed in the response and put in the MDC, which Quarkus keeps on the request's
 * duplicated Vert.x context, so it follows the request onto worker and virtual threads.
 */
@ApplicationScoped
public class RequestIdFilter {

    /** Before Quarkus' own filters, so even a request they refuse carries its id. */
    private static final int PRIORITY = 10_000;

    void register(@Observes Filters filters) {
        filters.register(context -> {
            String id = LogFields.requestId(context.request().getHeader(LogFields.REQUEST_ID_HEADER));
            context.response().putHeader(LogFields.REQUEST_ID_HEADER, id);
            MDC.put(LogFields.REQUEST_ID, id);
            context.next();
        }, PRIORITY);
    }
}
