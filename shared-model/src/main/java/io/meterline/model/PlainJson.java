package io.meterline.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/**
 * Plain text: printable ASCII other than {@code "} and {@code \}, which Jackson's generator writes into a JSON string as
 * it is, one byte per character (it escapes control characters and those two; anything beyond ASCII, and DEL, is left to
 * it). Such text can be copied into JSON output byte for byte without the generator (decision 0157).
 */
public final class PlainJson {

    private PlainJson() {
    }

    public static boolean plain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** Copies {@code text} into {@code out} at {@code at}, one byte per character; -1 if it is not plain. */
    public static int copy(byte[] out, int at, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                return -1;
            }
            out[at + i] = (byte) c;
        }
        return at + text.length();
    }

    /**
     * {@code node.toString()} for a tree of objects, arrays, {@link #plain plain} texts and keys, {@code int}/{@code long}
     * numbers, booleans and nulls, without Jackson's writer; null for any other tree (decimals, big integers, text that
     * needs escaping), which {@code toString()} then writes. The validator serialises every event's data this way.
     */
    public static String compact(JsonNode node) {
        StringBuilder out = new StringBuilder(128);
        return append(out, node) ? out.toString() : null;
    }

    private static boolean append(StringBuilder out, JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                out.append('{');
                boolean first = true;
                for (Iterator<Map.Entry<String, JsonNode>> members = node.fields(); members.hasNext(); ) {
                    Map.Entry<String, JsonNode> member = members.next();
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    if (!plain(member.getKey())) {
                        return false;
                    }
                    out.append('"').append(member.getKey()).append("\":");
                    if (!append(out, member.getValue())) {
                        return false;
                    }
                }
                out.append('}');
                return true;
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    if (!append(out, node.get(i))) {
                        return false;
                    }
                }
                out.append(']');
                return true;
            }
            case STRING -> {
                String text = node.textValue();
                if (!plain(text)) {
                    return false;
                }
                out.append('"').append(text).append('"');
                return true;
            }
            case NUMBER -> {
                if (node.isInt()) {
                    out.append(node.intValue());
                    return true;
                }
                if (node.isLong()) {
                    out.append(node.longValue());
                    return true;
                }
                return false;
            }
            case BOOLEAN -> {
                out.append(node.booleanValue());
                return true;
            }
            case NULL -> {
                out.append("null");
                return true;
            }
            default -> {
                return false;
            }
        }
    }
}
