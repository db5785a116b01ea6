package io.meterline.model.usage;

/** How a meter turns the events of a window into one number. */
public enum Aggregation {
    SUM, COUNT, MAX, MIN, AVG,
    /** Gauges: the value of the event with the latest event time (not the latest arrival). */
    LAST,
    UNIQUE_COUNT
}
