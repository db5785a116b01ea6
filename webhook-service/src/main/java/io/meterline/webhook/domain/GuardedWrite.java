package io.meterline.webhook.domain;

/** Result of a write guarded by event order. */
public enum GuardedWrite {
    /** Written: the event was newer than what was stored (or was the same event again). */
    APPLIED,
    /** Not written: newer state is stored. */
    STALE,
    /** Not written: state from a different event of the same second is stored, so order is unknown. */
    TIE
}
