package io.meterline.model.api;

import io.meterline.model.Violation;

import java.util.List;
import java.util.Locale;

/**
 * A stable error code of a service's HTTP API and how it is answered. Each service keeps its own enum of codes
 * implementing this; the service's one exception mapper turns a code into a {@link Problem}. The wire code is the
 * constant's name in lower snake case ({@code batch_too_large}), the same in every service.
 */
public interface ProblemCode {

    /** What every constant declares: the HTTP status and a short title that does not vary between occurrences. */
    record Definition(int status, String title) {
    }

    Definition definition();

    /** Provided by {@link Enum}. */
    String name();

    default int status() {
        return definition().status();
    }

    default String title() {
        return definition().title();
    }

    /** The stable code on the wire (the problem's {@code code}, and the last segment of its {@code type}). */
    default String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The problem body for this code. */
    default Problem problem(String detail, List<Violation> errors) {
        return Problem.of(code(), title(), status(), detail, errors);
    }
}
