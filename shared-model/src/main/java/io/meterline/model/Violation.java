package io.meterline.model;

/**
 * Why an event was refused: the field at fault (a JSON pointer-like path such as {@code time} or
 * {@code data}), a stable machine-readable reason and a sentence for humans.
 */
public record Violation(String field, String reason, String message) {
}
