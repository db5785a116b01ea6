package io.meterline.devstack.stripe;

import java.util.concurrent.ThreadLocalRandom;

/** Stripe-looking object ids ({@code cus_…}, {@code sub_…}). */
final class Ids {
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private Ids() {
    }

    static String next(String prefix) {
        return prefix + random(prefix.equals("cus_") || prefix.equals("si_") ? 14 : 24);
    }

    static String random(int length) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }
}
