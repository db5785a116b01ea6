package io.meterline.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The record value of an event whose text fields are all {@link PlainJson#plain plain}, written straight into one
 * exactly sized array: byte for byte what {@link UsageEventJson#toBytes(UsageEvent, String)} writes through the
 * generator; for any other event null, and the generator writes it. The generator's per-character escape checks were
 * the largest part of writing a record (decision 0157).
 */
final class PlainRecord {

    private static final byte[] ID = bytesOf("{\"id\":\"");
    private static final byte[] SOURCE = bytesOf("\",\"source\":\"");
    private static final byte[] TYPE = bytesOf("\",\"type\":\"");
    private static final byte[] SUBJECT = bytesOf("\",\"subject\":\"");
    private static final byte[] TIME = bytesOf("\",\"time\":\"");
    private static final byte[] DATA = bytesOf("\",\"data\":");
    private static final byte[] ORGANIZATION = bytesOf(",\"organization\":\"");

    private PlainRecord() {
    }

    /**
     * The record value, or null when a text field needs escaping or the data has characters outside the BMP. Each text
     * is checked while it is copied (one pass): the array is sized for one byte per character, which it is when
     * everything is plain.
     */
    static byte[] bytes(UsageEvent event, String dataJson) {
        String organization = event.organization();
        String time = UtcTimestamps.format(event.time());
        byte[] out = new byte[ID.length + event.id().length() + SOURCE.length + event.source().length() + TYPE.length
                + event.type().length() + SUBJECT.length + event.subject().length() + TIME.length + time.length()
                + DATA.length + dataJson.length()
                + (organization == null ? 0 : ORGANIZATION.length + organization.length() + 1) + 1];
        int at = PlainJson.copy(out, put(out, 0, ID), event.id());
        at = at < 0 ? at : PlainJson.copy(out, put(out, at, SOURCE), event.source());
        at = at < 0 ? at : PlainJson.copy(out, put(out, at, TYPE), event.type());
        at = at < 0 ? at : PlainJson.copy(out, put(out, at, SUBJECT), event.subject());
        if (at < 0) {
            return null;
        }
        at = put(out, put(out, at, TIME), time);
        at = put(out, at, DATA);
        // the data JSON is copied raw, as writeRawValue does: ASCII as it is, other BMP characters as UTF-8
        int end = ascii(out, at, dataJson);
        if (end < 0) {
            if (UsageEventJson.hasSurrogates(dataJson)) {
                return null;
            }
            byte[] data = dataJson.getBytes(StandardCharsets.UTF_8);
            out = Arrays.copyOf(out, out.length - dataJson.length() + data.length);
            end = put(out, at, data);
        }
        at = end;
        if (organization != null) {
            at = PlainJson.copy(out, put(out, at, ORGANIZATION), organization);
            if (at < 0) {
                return null;
            }
            out[at++] = '"';
        }
        out[at] = '}';
        return out;
    }

    /** Copies ASCII {@code text}; -1 at the first character that is not. */
    private static int ascii(byte[] out, int at, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                return -1;
            }
            out[at + i] = (byte) c;
        }
        return at + text.length();
    }

    /** {@code text} is known to be ASCII. */
    private static int put(byte[] out, int at, String text) {
        for (int i = 0; i < text.length(); i++) {
            out[at + i] = (byte) text.charAt(i);
        }
        return at + text.length();
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    private static byte[] bytesOf(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
