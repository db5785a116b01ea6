package io.meterline.model;

/**
 * Text that Jackson's generator writes into a JSON string unchanged: printable ASCII other than {@code "} and
 * {@code \} (it escapes control characters, and writes everything above {@code 0x7E} otherwise than as one byte per
 * character). Such text can be copied into JSON output byte for byte without the generator (decision 0157).
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

    /** Copies ASCII {@code text} into {@code out} at {@code at}, one byte per character; returns the end. */
    public static int put(byte[] out, int at, String text) {
        for (int i = 0; i < text.length(); i++) {
            out[at + i] = (byte) text.charAt(i);
        }
        return at + text.length();
    }
}
