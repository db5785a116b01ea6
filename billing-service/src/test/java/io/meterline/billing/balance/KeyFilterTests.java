package io.meterline.billing.balance;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KeyFilterTests {

    @Test
    void everyAddedKeyIsMaybeContained() {
        byte[] filter = KeyFilter.empty();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            String key = (i % 2 == 0 ? "api:" : "usage:w-") + i;
            keys.add(key);
            filter = KeyFilter.with(filter, key);
        }
        for (String key : keys) {
            assertThat(KeyFilter.mightContain(filter, key)).as(key).isTrue();
        }
    }

    @Test
    void mostKeysNeverAddedAreProvedNewAtATypicalFill() {
        byte[] filter = KeyFilter.empty();
        for (int i = 0; i < 1_000; i++) {
            filter = KeyFilter.with(filter, "api:added-" + i);
        }
        int maybe = 0;
        for (int i = 0; i < 10_000; i++) {
            if (KeyFilter.mightContain(filter, "api:other-" + i)) {
                maybe++;
            }
        }
        assertThat(maybe).isLessThan(20);
    }

    @Test
    void aBalanceWithoutAFilterAlwaysSaysMaybeAndStaysWithout() {
        assertThat(KeyFilter.mightContain(null, "api:x")).isTrue();
        assertThat(KeyFilter.with(null, "api:x")).isNull();
    }

    @Test
    void addingAKeyNeverChangesTheFilterItWasGiven() {
        byte[] before = KeyFilter.empty();
        byte[] after = KeyFilter.with(before, "api:k");
        assertThat(KeyFilter.mightContain(before, "api:k")).isFalse();
        assertThat(KeyFilter.mightContain(after, "api:k")).isTrue();
        assertThat(after).isNotSameAs(before);
    }

    @Test
    void aFullFilterSaysMaybeToEverything() {
        byte[] full = new byte[KeyFilter.BYTES];
        java.util.Arrays.fill(full, (byte) 0xff);
        assertThat(KeyFilter.mightContain(full, "api:anything")).isTrue();
    }
}
