package io.meterline.devstack.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generated hostile input for property tests at the public edges: arbitrary JSON values, strings drawn from every
 * Unicode general category (lone surrogates included), numbers at and beyond the double and long edges, and
 * truncations and mutations of valid events. Deterministic per seed, so a failing case can be replayed: tests
 * print the seed they used and accept {@code -Dhostile.seed=…}.
 */
public final class HostileInputs {

    /** Numbers at and around the edges of double, long and the documented value range, as JSON text. */
    public static final List<String> EDGE_NUMBERS = List.of("0", "-0", "-0.0", "1", "-1", "0.1", "1e15", "-1e15",
            "1000000000000001", "1e16", "9007199254740992", "9007199254740993", "9223372036854775807",
            "9223372036854775808", "-9223372036854775809", "18446744073709551616", "1.7976931348623157e308",
            "1.7e308", "1.8e308", "1e400", "-1e400", "4.9e-324", "2.2250738585072014e-308", "1e-400", "1e-9", "1e-10",
            "123456789012345.6", "0.30000000000000004", "1E+2", "1e999999999", "-1e-999999999",
            "123456789012345678901234567890123456789012345678901234567890");

    /** Code points with a representative of every general category, plus the ones the issue names. */
    private static final int[] SPECIAL = {0x0, 0x9, 0xA, 0xD, 0x1B, 0x7F, 0x85, 0xA0, 0xAD, 0x300, 0x5D0, 0x600,
            0x61C, 0x200B, 0x200C, 0x200D, 0x200E, 0x202A, 0x202E, 0x2028, 0x2029, 0x2066, 0x2069, 0xFEFF, 0xFFFD,
            0xFFFE, 0xFFFF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xF8FF, 0x1F600, 0x10FFFF, 0xE0001, 0x3000,
            0x2160, 0x1D400, 0x20AC, 0x22, 0x5C, 0x2F};

    private final long seed;
    private final Random random;

    public HostileInputs(long seed) {
        this.seed = seed;
        this.random = new Random(seed);
    }

    /** The seed from {@code -Dhostile.seed}, else a fresh one. */
    public static HostileInputs fromSystemProperty() {
        String text = System.getProperty("hostile.seed");
        return new HostileInputs(text == null || text.isBlank() ? System.nanoTime() : Long.parseLong(text.trim()));
    }

    public long seed() {
        return seed;
    }

    public Random random() {
        return random;
    }

    /** A string of 0–12 UTF-16 units mixing ASCII, special code points, random BMP units and supplementary ones. */
    public String string() {
        int length = random.nextInt(13);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(5)) {
                case 0, 1 -> text.append((char) (0x20 + random.nextInt(0x5F)));
                case 2 -> text.appendCodePoint(SPECIAL[random.nextInt(SPECIAL.length)]);
                case 3 -> text.append((char) random.nextInt(0x10000));
                default -> text.appendCodePoint(0x10000 + random.nextInt(0x100000));
            }
        }
        return text.toString();
    }

    /** A JSON string literal of {@link #string()}, escaping so that even lone surrogates survive as {@code \\uXXXX}. */
    public String stringLiteral() {
        return quote(string());
    }

    public static String quote(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c) || c == 0x7F) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"').toString();
    }

    /** A JSON number: an edge value, a random double, a random long or a random decimal. */
    public String number() {
        return switch (random.nextInt(4)) {
            case 0 -> EDGE_NUMBERS.get(random.nextInt(EDGE_NUMBERS.size()));
            case 1 -> Double.toString(Double.longBitsToDouble(random.nextLong())).replace("Infinity", "1e400")
                    .replace("NaN", "1e-400");
            case 2 -> Long.toString(random.nextLong());
            default -> (random.nextBoolean() ? "-" : "") + random.nextInt(1_000_000) + "." + random.nextInt(1_000_000);
        };
    }

    /** An arbitrary JSON value up to {@code depth} levels deep. */
    public String value(int depth) {
        int kind = random.nextInt(depth <= 0 ? 5 : 7);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2, 3 -> number();
            case 4 -> stringLiteral();
            case 5 -> {
                List<String> items = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    items.add(value(depth - 1));
                }
                yield "[" + String.join(",", items) + "]";
            }
            default -> object(depth - 1);
        };
    }

    private String object(int depth) {
        List<String> members = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            members.add(stringLiteral() + ":" + value(depth));
        }
        return "{" + String.join(",", members) + "}";
    }

    /** A valid-looking event whose fields are each, with some probability, replaced by something hostile. */
    public String event(String subject, Instant time) {
        String id = random.nextInt(4) == 0 ? pick() : quote("h-" + Long.toHexString(random.nextLong()));
        String source = random.nextInt(6) == 0 ? pick() : "\"hostile-gen\"";
        String type = random.nextInt(6) == 0 ? pick() : "\"api.call\"";
        String subjectJson = random.nextInt(4) == 0 ? pick() : quote(subject);
        String timeJson = random.nextInt(6) == 0 ? pick() : quote(time.toString());
        String units = random.nextInt(2) == 0 ? number() : value(2);
        String data = random.nextInt(8) == 0 ? value(3) : "{\"units\":" + units + ",\"extra\":" + value(2) + "}";
        return "{\"id\":" + id + ",\"source\":" + source + ",\"type\":" + type + ",\"subject\":" + subjectJson
                + ",\"time\":" + timeJson + ",\"data\":" + data + "}";
    }

    private String pick() {
        return random.nextBoolean() ? stringLiteral() : value(2);
    }

    /** {@code json} truncated, with a span deleted, duplicated or replaced by random bytes, or left whole. */
    public String mutate(String json) {
        if (json.isEmpty()) {
            return json;
        }
        int at = random.nextInt(json.length());
        return switch (random.nextInt(6)) {
            case 0 -> json.substring(0, at);
            case 1 -> json.substring(0, at) + json.substring(Math.min(json.length(), at + 1 + random.nextInt(8)));
            case 2 -> json.substring(0, at) + json.substring(at, Math.min(json.length(), at + 12)) + json.substring(at);
            case 3 -> json.substring(0, at) + string() + json.substring(at);
            case 4 -> json + (random.nextBoolean() ? json : value(1));
            default -> json;
        };
    }

    /** A request body: a hostile event, a batch of them, an arbitrary value, or a mutation of any of these. */
    public String body(String subject, Instant time) {
        String body = switch (random.nextInt(4)) {
            case 0, 1 -> event(subject, time);
            case 2 -> {
                List<String> events = new ArrayList<>();
                for (int i = 1 + random.nextInt(5); i > 0; i--) {
                    events.add(event(subject, time));
                }
                yield "[" + String.join(",", events) + "]";
            }
            default -> value(4);
        };
        return random.nextInt(3) == 0 ? mutate(body) : body;
    }
}
