package io.meterline.model.api;

import io.meterline.model.Violation;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stable error code of a service's HTTP API and how it is answered. Each service keeps its own enum of codes
 * implementing this, each constant declaring its status and title through {@link #define} in the enum's
 * constructor; the service's one exception mapper turns a code into a {@link Problem}. The wire code is the
 * constant's name in lower snake case ({@code batch_too_large}), the same in every service.
 */
public interface ProblemCode {

    /** Status and title of every defined code. */
    final class Definitions {
        private static final Map<ProblemCode, Definition> BY_CODE = new ConcurrentHashMap<>();

        private Definitions() {
        }
    }

    /** What a code is answered with. */
    record Definition(int status, String title) {
    }

    /** Called by each constant's constructor: {@code ErrorCode(int status, String title) { ProblemCode.define(this, status, title); }}. */
    static void define(ProblemCode code, int status, String title) {
        Definitions.BY_CODE.put(code, new Definition(status, title));
    }

    /** Provided by {@link Enum}. */
    String name();

    default Definition definition() {
        Definition definition = Definitions.BY_CODE.get(this);
        if (definition == null) {
            throw new IllegalStateException(name() + " was never defined: call ProblemCode.define in its constructor");
        }
        return definition;
    }

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
