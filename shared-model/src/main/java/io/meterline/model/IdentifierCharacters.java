package io.meterline.model;

/**
 * The characters an identifier ({@code id}, {@code source}, {@code subject}, {@code organization}) may hold:
 * printable Unicode, as well-formed UTF-16. Refused: controls (Cc: NUL, CR, LF, ESC, DEL, C1), format characters
 * (Cf: bidi overrides and isolates such as U+202E, zero-width U+200B–U+200D, U+FEFF), lone surrogates (Cs),
 * private use (Co) and the line/paragraph separators U+2028/U+2029 (Zl, Zp). Identifiers become customers, log
 * lines and Stripe metadata: an invisible or reordering character would make two customers look alike.
 * Mirrored by the {@code pattern} of these fields in {@code docs/schema/usage-event.json}.
 */
public final class IdentifierCharacters {

    private IdentifierCharacters() {
    }

    /** The violation for the first refused character of {@code text}, or null when every character is allowed. */
    public static Violation check(String field, String text) {
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                i++; // printable ASCII, always allowed: the common case without a Unicode category lookup
                continue;
            }
            int codePoint = text.codePointAt(i);
            if (!allowed(codePoint)) {
                String name = Character.getName(codePoint);
                return new Violation(field, UsageEventValidator.INVALID_CHARACTERS, String.format(
                        "%s contains U+%04X%s at index %d; control, format (bidi, zero-width), private-use, "
                                + "separator and unpaired surrogate characters are not allowed",
                        field, codePoint, name == null ? "" : " (" + name + ")", i));
            }
            i += Character.charCount(codePoint);
        }
        return null;
    }

    static boolean allowed(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }
}
