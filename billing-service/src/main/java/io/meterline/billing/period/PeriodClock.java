package io.meterline.billing.period;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;

/** The wall clock completeness is judged by; a bean so tests can stand at a chosen instant. */
@ApplicationScoped
public class PeriodClock {

    public Instant now() {
        return Instant.now();
    }
}
