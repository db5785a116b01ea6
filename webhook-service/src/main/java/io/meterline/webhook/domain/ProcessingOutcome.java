package io.meterline.webhook.domain;

import java.util.Locale;

/** What applying one event did. */
public enum ProcessingOutcome {
    /** State was written. */
    APPLIED,
    /** Newer state was already stored: the event was older and changed nothing. */
    STALE,
    /** A type Meterline does not act on: stored and acknowledged only. */
    IGNORED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
