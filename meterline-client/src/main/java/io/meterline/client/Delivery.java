package io.meterline.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** One POST of a batch to {@code /v1/events} and what its answer means for the batch. */
final class Delivery {

    /** What became of a batch. */
    sealed interface Outcome permits Answered, Retry, Split {
    }

    /** Meterline answered per event: each is stored (accepted or a duplicate of a stored one) or rejected. */
    record Answered(int stored, List<Rejection> rejections) implements Outcome {
    }

    /** Not stored: unreachable, 429, 5xx, auth or configuration trouble. The events are kept and sent again. */
    record Retry(String why, Duration retryAfter) implements Outcome {
    }

    /** The request as a whole was refused (too large...): send the halves separately. */
    record Split(String why) implements Outcome {
    }

    private final HttpClient http;
    private final URI events;
    private final Supplier<String> token;
    private final Duration timeout;
    private final ObjectMapper mapper;

    Delivery(HttpClient http, URI events, Supplier<String> token, Duration timeout, ObjectMapper mapper) {
        this.http = http;
        this.events = events;
        this.token = token;
        this.timeout = timeout;
        this.mapper = mapper;
    }

    Outcome send(List<byte[]> batch) throws InterruptedException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(batch.size() * 256 + 2);
        body.write('[');
        for (int i = 0; i < batch.size(); i++) {
            if (i > 0) {
                body.write(',');
            }
            body.writeBytes(batch.get(i));
        }
        body.write(']');
        HttpResponse<byte[]> response;
        try {
            response = http.send(HttpRequest.newBuilder(events).timeout(timeout)
                    .header("Authorization", "Bearer " + token.get())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return new Retry("unreachable: " + e, null);
        }
        int status = response.statusCode();
        if (status == 202 || status == 200) {
            return answered(batch, response.body());
        }
        if ((status == 400 || status == 413 || status == 422) && batch.size() > 1) {
            return new Split("HTTP " + status);
        }
        if (status == 400 || status == 413 || status == 422) {
            return refusedSingle(batch.get(0), status, response.body());
        }
        return new Retry("HTTP " + status, retryAfter(response));
    }

    private Answered answered(List<byte[]> batch, byte[] body) {
        try {
            JsonNode results = mapper.readTree(body).path("results");
            int stored = 0;
            List<Rejection> rejections = new ArrayList<>();
            for (JsonNode result : results) {
                if ("rejected".equals(result.path("status").asText())) {
                    int index = result.path("index").asInt();
                    rejections.add(new Rejection(result.path("id").asText(null), result.path("source").asText(null),
                            new String(batch.get(index), StandardCharsets.UTF_8), errors(result.path("errors"))));
                } else {
                    stored++;
                }
            }
            return new Answered(stored, rejections);
        } catch (IOException e) {
            // stored (202) but unreadable: count all as stored; the answer's per-event detail is lost, not the events
            return new Answered(batch.size(), List.of());
        }
    }

    private Outcome refusedSingle(byte[] event, int status, byte[] body) {
        List<Rejection.FieldError> errors;
        try {
            JsonNode problem = mapper.readTree(body);
            errors = errors(problem.path("errors"));
            if (errors.isEmpty()) {
                errors = List.of(new Rejection.FieldError("", problem.path("code").asText("http_" + status),
                        problem.path("detail").asText("")));
            }
        } catch (IOException e) {
            errors = List.of(new Rejection.FieldError("", "http_" + status, "refused with HTTP " + status));
        }
        JsonNode parsed = null;
        try {
            parsed = mapper.readTree(event);
        } catch (IOException ignored) {
            // the spool holds what the client wrote: JSON
        }
        return new Answered(0, List.of(new Rejection(parsed == null ? null : parsed.path("id").asText(null),
                parsed == null ? null : parsed.path("source").asText(null), new String(event, StandardCharsets.UTF_8),
                errors)));
    }

    private static List<Rejection.FieldError> errors(JsonNode errors) {
        List<Rejection.FieldError> list = new ArrayList<>();
        for (JsonNode error : errors) {
            list.add(new Rejection.FieldError(error.path("field").asText(""), error.path("reason").asText(""),
                    error.path("message").asText("")));
        }
        return list;
    }

    /** {@code Retry-After} in seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(HttpResponse<?> response) {
        String value = response.headers().firstValue("Retry-After").orElse(null);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            try {
                Duration until = Duration.between(java.time.Instant.now(),
                        ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
    }
}
