package io.meterline.model;

import java.nio.charset.StandardCharsets;

/**
 * The record value of an event whose text fields are all {@link PlainJson#plain plain}, written straight into one
 * exactly sized array: byte for byte what {@link UsageEventJson#toBytes(UsageEvent, String)} writes through the
 * generator; for any other event null, and the generator writes it. The generator's per-character escape checks were the largest part of writing a record
 * (decision 0157).
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

    /** The record value, or null when a text field needs escaping or the data has characters outside the BMP. */
    static byte[] bytes(UsageEvent event, String dataJson) {
        String organization = event.organization();
        if (!PlainJson.plain(event.id()) || !PlainJson.plain(event.source()) || !PlainJson.plain(event.type())
                || !PlainJson.plain(event.subject()) || organization != null && !PlainJson.plain(organization)) {
            return null;
        }
        // the data JSON is copied raw, as writeRawValue does: ASCII as it is, other BMP characters as UTF-8
        byte[] data = null;
        if (!ascii(dataJson)) {
            if (UsageEventJson.hasSurrogates(dataJson)) {
                return null;
            }
            data = dataJson.getBytes(StandardCharsets.UTF_8);
        }
        String time = UtcTimestamps.format(event.time());
        int length = ID.length + event.id().length() + SOURCE.length + event.source().length() + TYPE.length
                + event.type().length() + SUBJECT.length + event.subject().length() + TIME.length + time.length()
                + DATA.length + (data == null ? dataJson.length() : data.length)
                + (organization == null ? 0 : ORGANIZATION.length + organization.length() + 1) + 1;
        byte[] out = new byte[length];
        int at = put(out, 0, ID);
        at = put(out, at, event.id());
        at = put(out, at, SOURCE);
        at = put(out, at, event.source());
        at = put(out, at, TYPE);
        at = put(out, at, event.type());
        at = put(out, at, SUBJECT);
        at = put(out, at, event.subject());
        at = put(out, at, TIME);
        at = put(out, at, time);
        at = put(out, at, DATA);
        if (data == null) {
            at = put(out, at, dataJson);
        } else {
            System.arraycopy(data, 0, out, at, data.length);
            at += data.length;
        }
        if (organization != null) {
            at = put(out, at, ORGANIZATION);
            at = put(out, at, organization);
            out[at++] = '"';
        }
        out[at] = '}';
        return out;
    }

    private static boolean ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static int put(byte[] out, int at, String text) {
        return PlainJson.put(out, at, text);
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    private static byte[] bytesOf(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
