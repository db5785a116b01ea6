package io.meterline.billing.balance;

import java.nio.charset.StandardCharsets;

/**
 * A Bloom filter of the movement keys applied to one balance, kept in the balance document and extended by the same
 * compare-and-set write that applies a movement. So a version's filter contains every key applied up to that version,
 * and "not in the filter" proves a key new without reading the history collection — the read every movement used to
 * make. "Maybe" (a real hit or a false positive) falls back to that read; a full filter only makes every answer
 * "maybe", never a wrong "no". Hashes are our own (FNV-1a over UTF-8, double hashing) so that every instance and
 * version computes the same bits. Arrays are never changed in place: {@link #with} returns a new one. Pure; see
 * docs/decisions/0114.
 */
public final class KeyFilter {

    /** 32,768 bits: about 0.006 % false positives at 1,000 keys, 4 % at 5,000, 29 % at 10,000. */
    static final int BYTES = 4096;
    static final int HASHES = 5;

    private KeyFilter() {
    }

    /** The filter of a balance that has had no movement yet. */
    public static byte[] empty() {
        return new byte[BYTES];
    }

    /** False only if {@code key} was never added; a missing filter (a balance older than filters) says maybe. */
    public static boolean mightContain(byte[] filter, String key) {
        if (filter == null || filter.length == 0) {
            return true;
        }
        long[] h = hashes(key);
        int bits = filter.length * 8;
        for (int i = 0; i < HASHES; i++) {
            int bit = bit(h, i, bits);
            if ((filter[bit >>> 3] & (1 << (bit & 7))) == 0) {
                return false;
            }
        }
        return true;
    }

    /** A new filter holding {@code key} too; a missing filter stays missing (it could not prove anything new). */
    public static byte[] with(byte[] filter, String key) {
        if (filter == null || filter.length == 0) {
            return filter;
        }
        byte[] next = filter.clone();
        long[] h = hashes(key);
        int bits = next.length * 8;
        for (int i = 0; i < HASHES; i++) {
            int bit = bit(h, i, bits);
            next[bit >>> 3] |= (byte) (1 << (bit & 7));
        }
        return next;
    }

    private static int bit(long[] h, int i, int bits) {
        return (int) Math.floorMod(h[0] + i * h[1], (long) bits);
    }

    private static long[] hashes(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        long a = 0xcbf29ce484222325L;
        long b = 0x84222325cbf29ce4L;
        for (byte value : bytes) {
            a = (a ^ (value & 0xff)) * 0x100000001b3L;
            b = (b ^ (value & 0xff)) * 0x100000001b3L;
        }
        // an odd step so that the HASHES probes differ
        return new long[] {a ^ (a >>> 29), (b ^ (b >>> 31)) | 1};
    }
}
