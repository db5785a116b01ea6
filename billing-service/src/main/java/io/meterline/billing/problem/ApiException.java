package io.meterline.billing.problem;

import io.meterline.model.Violation;

import java.util.List;

/** An error answer: turned into application/problem+json by {@link ProblemMapper}. */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final List<Violation> violations;

    public ApiException(ErrorCode code, String detail) {
        this(code, detail, List.of());
    }

    public ApiException(ErrorCode code, String detail, List<Violation> violations) {
        super(detail);
        this.code = code;
        this.violations = List.copyOf(violations);
    }

    /** A bad query or path parameter, named in the answer. */
    public static ApiException invalidParameter(String parameter, String reason, String message) {
        return new ApiException(ErrorCode.INVALID_PARAMETER, message, List.of(new Violation(parameter, reason, message)));
    }

    public ErrorCode code() {
        return code;
    }

    public List<Violation> violations() {
        return violations;
    }
}
