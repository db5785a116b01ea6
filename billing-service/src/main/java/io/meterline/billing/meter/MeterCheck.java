package io.meterline.billing.meter;

import io.meterline.model.Violation;

import java.time.Instant;
import java.util.List;

/**
 * How a meter's Stripe billing meter matches what Meterline's reporter sends: {@code ok}, {@code mismatch} (with
 * the problems and the fix), or {@code unchecked} (no Stripe key, or Stripe could not be asked; {@code fix} says
 * why). A mismatched meter is not reported (skip reason {@code stripe_meter_mismatch}).
 */
public record MeterCheck(String status, String stripeMeterId, List<Violation> problems, String fix, Instant checkedAt) {

    public static final String OK = "ok";
    public static final String MISMATCH = "mismatch";
    public static final String UNCHECKED = "unchecked";

    /** Problem reason when no Stripe meter has the event name: flagged, not refused (the Stripe meter may come later). */
    public static final String MISSING = "stripe_meter_missing";

    public MeterCheck {
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    public boolean mismatched() {
        return MISMATCH.equals(status);
    }

    /** Whether declaring the meter is refused: a Stripe meter exists and would bill something else, or is inactive. */
    public boolean refusesDeclaration() {
        return mismatched() && problems.stream().anyMatch(p -> !MISSING.equals(p.reason()));
    }

    /** The problems and the fix in one sentence, for logs, readiness and error answers. */
    public String explanation() {
        StringBuilder text = new StringBuilder();
        for (Violation problem : problems) {
            text.append(text.isEmpty() ? "" : "; ").append(problem.message());
        }
        if (fix != null) {
            text.append(text.isEmpty() ? "" : ". Fix: ").append(fix);
        }
        return text.toString();
    }
}
