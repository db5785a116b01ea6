package io.meterline.billing.problem;

import io.meterline.model.Violation;
import io.meterline.model.api.ProblemCode;

import java.util.List;

/**
 * A domain error carrying a stable code ({@link ErrorCode}, or a {@link io.meterline.model.api.CommonProblem}); thrown by
 * resources and services alike, turned into application/problem+json by {@link ProblemMapper} only.
 */
public class BillingException extends RuntimeException {

    private final ProblemCode code;
    private final List<Violation> violations;

    public BillingException(ProblemCode code, String detail) {
        this(code, detail, List.of());
    }

    public BillingException(ProblemCode code, String detail, List<Violation> violations) {
        super(detail);
        this.code = code;
        this.violations = List.copyOf(violations);
    }

    /** A bad query or path parameter, named in the answer. */
    public static BillingException invalidParameter(String parameter, String reason, String message) {
        return new BillingException(ErrorCode.INVALID_PARAMETER, message, List.of(new Violation(parameter, reason, message)));
    }

    public ProblemCode code() {
        return code;
    }

    public List<Violation> violations() {
        return violations;
    }
}
