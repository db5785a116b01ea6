package io.meterline.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The validation rules for usage events, applied by the ingest API and again by billing to records read from
 * the topic (producers may write to Kafka directly). Mirrors {@code docs/schema/usage-event.json}.
 */
public final class UsageEventValidator {

    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_SOURCE_LENGTH = 256;
    public static final int MAX_TYPE_LENGTH = 128;
    public static final int MAX_SUBJECT_LENGTH = 256;
    public static final int MAX_DATA_BYTES = 8 * 1024;
    public static final Duration MAX_FUTURE_SKEW = Duration.ofMinutes(5);
    public static final Duration DEFAULT_LOOKBACK = Duration.ofDays(35);

    /** Reason codes: stable, documented, used in API answers, DLQ headers and metric tags. */
    public static final String MISSING = "missing";
    public static final String NOT_A_STRING = "not_a_string";
    public static final String BLANK = "blank";
    public static final String TOO_LONG = "too_long";
    public static final String INVALID_FORMAT = "invalid_format";
    public static final String INVALID_TIME = "invalid_time";
    public static final String TIME_IN_FUTURE = "time_in_future";
    public static final String TIME_TOO_OLD = "time_too_old";
    public static final String NOT_AN_OBJECT = "not_an_object";
    public static final String TOO_LARGE = "too_large";
    public static final String NUMBER_OUT_OF_RANGE = "number_out_of_range";
    public static final String INVALID_CHARACTERS = "invalid_characters";

    /** The format of {@code type}, {@code [A-Za-z0-9][A-Za-z0-9._:/-]*}, checked by {@link #typeFormat}. */
    static final Pattern TYPE_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]*");

    private final Clock clock;
    private final Duration lookback;

    public UsageEventValidator(Clock clock, Duration lookback) {
        this.clock = clock;
        this.lookback = lookback;
    }

    public Duration lookback() {
        return lookback;
    }

    /**
     * Outcome of validating one JSON value: either an event or the reasons it is not one. {@code dataJson} is the
     * event's {@code data} as compact JSON, measured by the size check (null when invalid or without data); it is
     * what {@link UsageEventJson#toBytes(UsageEvent, String)} writes, so the data is serialised once.
     */
    public record Result(UsageEvent event, List<Violation> violations, String dataJson) {
        public Result(UsageEvent event, List<Violation> violations) {
            this(event, violations, null);
        }

        public boolean valid() {
            return event != null;
        }

        /** The first violation, the one reported when only one reason fits (DLQ header, metric tag). */
        public Violation firstViolation() {
            return violations.isEmpty() ? null : violations.get(0);
        }
    }

    /**
     * The times an event's {@code time} may lie between ({@code now} − lookback to {@code now} + the future skew), taken
     * once for events received together: a batch of 1,000 reads the clock once (decision 0157).
     */
    public record TimeWindow(Instant earliest, Instant latest) {
    }

    public TimeWindow window() {
        Instant now = clock.instant();
        return new TimeWindow(now.minus(lookback), now.plus(MAX_FUTURE_SKEW));
    }

    public Result validate(JsonNode node) {
        return validate(node, window());
    }

    /** As {@link #validate(JsonNode)}, with the time window of the batch the event came in. */
    public Result validate(JsonNode node, TimeWindow window) {
        List<Violation> violations = new ArrayList<>(2);
        if (node == null || !node.isObject()) {
            violations.add(new Violation("", NOT_AN_OBJECT, "an event must be a JSON object"));
            return new Result(null, violations);
        }
        String id = requiredString(node, "id", MAX_ID_LENGTH, violations);
        String source = requiredString(node, "source", MAX_SOURCE_LENGTH, violations);
        String type = requiredString(node, "type", MAX_TYPE_LENGTH, violations);
        if (type != null && !typeFormat(type)) {
            violations.add(new Violation("type", INVALID_FORMAT,
                    "type must start with a letter or digit and contain only letters, digits and . _ : / -"));
        }
        String subject = requiredString(node, "subject", MAX_SUBJECT_LENGTH, violations);
        String organization = optionalString(node, "organization", MAX_SUBJECT_LENGTH, violations);
        Instant time = time(node, violations, window);
        String[] dataJson = new String[1];
        ObjectNode data = data(node, violations, dataJson);
        if (!violations.isEmpty()) {
            return new Result(null, violations);
        }
        return new Result(new UsageEvent(id, source, type, subject, time, data, organization), List.of(),
                dataJson[0]);
    }

    /** Whether {@code type} matches {@link #TYPE_PATTERN}, without a regex matcher per event. */
    static boolean typeFormat(String type) {
        if (type.isEmpty() || !letterOrDigit(type.charAt(0))) {
            return false;
        }
        for (int i = 1; i < type.length(); i++) {
            char c = type.charAt(i);
            if (!letterOrDigit(c) && c != '.' && c != '_' && c != ':' && c != '/' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean letterOrDigit(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static String requiredString(JsonNode node, String field, int maxLength, List<Violation> violations) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            violations.add(new Violation(field, MISSING, field + " is required"));
            return null;
        }
        return checkString(field, value, maxLength, violations);
    }

    private static String optionalString(JsonNode node, String field, int maxLength, List<Violation> violations) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        return checkString(field, value, maxLength, violations);
    }

    private static String checkString(String field, JsonNode value, int maxLength, List<Violation> violations) {
        if (!value.isTextual()) {
            violations.add(new Violation(field, NOT_A_STRING, field + " must be a string"));
            return null;
        }
        String text = value.textValue();
        Violation characters = IdentifierCharacters.check(field, text);
        if (characters != null) {
            violations.add(characters);
            return null;
        }
        if (text.isBlank()) {
            violations.add(new Violation(field, BLANK, field + " must not be blank"));
            return null;
        }
        if (text.length() > maxLength) {
            violations.add(new Violation(field, TOO_LONG,
                    field + " is " + text.length() + " characters long, at most " + maxLength + " are allowed"));
            return null;
        }
        return text;
    }

    private Instant time(JsonNode node, List<Violation> violations, TimeWindow window) {
        JsonNode value = node.get("time");
        if (value == null || value.isNull()) {
            violations.add(new Violation("time", MISSING, "time is required (RFC 3339, e.g. 2026-01-31T12:00:00Z)"));
            return null;
        }
        if (!value.isTextual()) {
            violations.add(new Violation("time", INVALID_TIME, "time must be an RFC 3339 string"));
            return null;
        }
        // the common UTC shape without the general parser (it accepts the same texts, with the same meaning)
        Instant time = UtcTimestamps.parseUtc(value.textValue());
        if (time == null) {
            try {
                time = OffsetDateTime.parse(value.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                violations.add(new Violation("time", INVALID_TIME,
                        "time '" + abbreviate(value.textValue()) + "' is not an RFC 3339 timestamp with offset"));
                return null;
            }
        }
        if (time.isAfter(window.latest())) {
            violations.add(new Violation("time", TIME_IN_FUTURE,
                    "time is more than " + MAX_FUTURE_SKEW.toMinutes() + " minutes in the future"));
            return null;
        }
        if (time.isBefore(window.earliest())) {
            violations.add(new Violation("time", TIME_TOO_OLD,
                    "time is older than the lookback of " + lookback.toDays() + " days"));
            return null;
        }
        return time;
    }

    private static ObjectNode data(JsonNode node, List<Violation> violations, String[] json) {
        JsonNode value = node.get("data");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            violations.add(new Violation("data", NOT_AN_OBJECT, "data must be a JSON object"));
            return null;
        }
        String serialised = PlainJson.compact(value);
        if (serialised == null) {
            serialised = value.toString();
        }
        int size = serialised.length();
        if (size > MAX_DATA_BYTES) {
            violations.add(new Violation("data", TOO_LARGE,
                    "data is " + size + " bytes serialised, at most " + MAX_DATA_BYTES + " are allowed"));
            return null;
        }
        numbers("data", value, violations);
        json[0] = serialised;
        return (ObjectNode) value;
    }

    /** Every number in data, and every string that is a JSON number, must be inside {@link UsageNumbers}' range. */
    private static void numbers(String path, JsonNode node, List<Violation> violations) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = fields.next();
                member(path, ".", entry.getKey(), entry.getValue(), violations);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                member(path, "[", i + "]", node.get(i), violations);
            }
        } else {
            String problem = numberProblem(node);
            if (problem != null) {
                violations.add(outOfRange(path, node, problem));
            }
        }
    }

    /** One member of a container; its path ({@code path + separator + name}) is built only when it is needed. */
    private static void member(String path, String separator, String name, JsonNode value,
            List<Violation> violations) {
        if (value.isContainerNode()) {
            numbers(path + separator + name, value, violations);
            return;
        }
        String problem = numberProblem(value);
        if (problem != null) {
            violations.add(outOfRange(path + separator + name, value, problem));
        }
    }

    private static String numberProblem(JsonNode node) {
        if (!node.isNumber() && !node.isTextual()) {
            return null;
        }
        BigDecimal number = node.isNumber() ? decimal(node) : UsageNumbers.parseNumericText(node.textValue());
        return number == null ? null : UsageNumbers.problem(number);
    }

    private static Violation outOfRange(String path, JsonNode node, String problem) {
        return new Violation(path, NUMBER_OUT_OF_RANGE, path + " " + abbreviate(node.asText()) + " " + problem
                + " (at most 15 significant digits, magnitude 0 or 1e-9 to 1e15)");
    }

    private static BigDecimal decimal(JsonNode number) {
        if (number.isFloatingPointNumber() && !number.isBigDecimal() && !Double.isFinite(number.doubleValue())) {
            return BigDecimal.TEN.pow(400); // a double that already overflowed: out of range whatever its sign
        }
        return number.decimalValue();
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
