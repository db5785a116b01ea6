package io.meterline.model.api;

import java.util.Arrays;
import java.util.Optional;

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

    private final Definition definition;

    CommonProblem(int status, String title) {
        this.definition = new Definition(status, title);
    }

    @Override
    public Definition definition() {
        return definition;
    }

    /** The code for an HTTP status the transport layer produced, if it is one of these. */
    public static Optional<CommonProblem> forStatus(int status) {
        return Arrays.stream(values()).filter(c -> c.status() == status).findFirst();
    }
}
