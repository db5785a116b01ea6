package io.meterline.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.meterline.model.Violation;

import java.util.List;

/**
 * RFC 9457 problem details, the body of every error answer of every service
 * ({@code Content-Type: application/problem+json}). {@code errors} names the fields at fault.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String code, List<Violation> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** A problem whose type URI is derived from its stable code. */
    public static Problem of(String code, String title, int status, String detail, List<Violation> errors) {
        return new Problem("https://meterline.io/problems/" + code, title, status, detail, code,
                errors == null ? List.of() : errors);
    }

    /** The problem for an HTTP status that has no code of its own (a transport-level refusal not listed anywhere). */
    public static Problem ofStatus(int status, String reason, String detail) {
        String title = reason == null || reason.isBlank() ? "HTTP " + status : reason;
        return of("http_" + status, title, status, detail, List.of());
    }
}
