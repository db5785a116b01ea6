package io.meterline.model.api;

import java.util.Arrays;
import java.util.List;

/**
 * Codes every service answers with for what the HTTP layer refuses before a resource runs (authentication, roles,
 * routing, media types) and for unexpected failures, so that they read the same everywhere.
 */
public enum CommonProblem implements ProblemCode {
    UNAUTHENTICATED(401, "Authentication required"),
    FORBIDDEN(403, "Forbidden"),
    NOT_FOUND(404, "Not found"),
    METHOD_NOT_ALLOWED(405, "Method not allowed"),
    NOT_ACCEPTABLE(406, "Not acceptable"),
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type"),
    INTERNAL(500, "Internal error");

    /** What an unexpected error's body says: never the exception, its class or a stack trace. */
    public static final String INTERNAL_DETAIL = "an unexpected error occurred; it was logged";

    CommonProblem(int status, String title) {
        ProblemCode.define(this, status, title);
    }

    /**
     * The problem for an HTTP status the transport layer produced: one of these codes when it is listed, else
     * {@code http_<status>} with the reason phrase.
     */
    public static Problem forStatus(int status, String reason) {
        return Arrays.stream(values()).filter(c -> c.status() == status).findFirst()
                .map(c -> c.problem(reason, List.of()))
                .orElseGet(() -> Problem.ofStatus(status, reason, null));
    }
}
