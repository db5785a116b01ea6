package io.meterline.ingest.domain;

import io.meterline.model.Violation;

import java.util.List;

/** A request the ingest API refuses as a whole; mapped once to problem+json at the edge. */
public class IngestException extends RuntimeException {

    private final ErrorCode code;
    private final transient List<Violation> errors;

    public IngestException(ErrorCode code, String detail) {
        this(code, detail, List.of(), null);
    }

    public IngestException(ErrorCode code, String detail, List<Violation> errors, Throwable cause) {
        super(detail, cause);
        this.code = code;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public ErrorCode code() {
        return code;
    }

    public List<Violation> errors() {
        return errors;
    }
}
