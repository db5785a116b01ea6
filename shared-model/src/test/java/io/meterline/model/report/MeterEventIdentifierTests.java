package io.meterline.model.report;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MeterEventIdentifierTests {

    @Test
    void sameInputsGiveTheSameIdentifier() {
        assertThat(MeterEventIdentifier.of("cus_1", "acme", "api-calls", 1_700_000_000L, 40, 2))
                .isEqualTo(MeterEventIdentifier.of("cus_1", "acme", "api-calls", 1_700_000_000L, 40, 2));
    }

    @Test
    void identifierIsShortVersionedAndHex() {
        String id = MeterEventIdentifier.of("cus_1", "acme", "api-calls", 1_700_000_000L, 0, 0);
        assertThat(id).startsWith("ml1_").hasSize(36).matches("ml1_[0-9a-f]{32}");
    }

    @Test
    void everyInputChangesTheIdentifier() {
        Set<String> ids = new HashSet<>();
        ids.add(MeterEventIdentifier.of("cus_1", "acme", "api-calls", 3600, 10, 1));
        ids.add(MeterEventIdentifier.of("cus_2", "acme", "api-calls", 3600, 10, 1));
        ids.add(MeterEventIdentifier.of("cus_1", "beta", "api-calls", 3600, 10, 1));
        ids.add(MeterEventIdentifier.of("cus_1", "acme", "storage", 3600, 10, 1));
        ids.add(MeterEventIdentifier.of("cus_1", "acme", "api-calls", 7200, 10, 1));
        ids.add(MeterEventIdentifier.of("cus_1", "acme", "api-calls", 3600, 11, 1));
        ids.add(MeterEventIdentifier.of("cus_1", "acme", "api-calls", 3600, 10, 2));
        assertThat(ids).hasSize(7);
    }

    @Test
    void fieldBoundariesCannotBeShiftedToCollide() {
        assertThat(MeterEventIdentifier.of("cus_1", "ab", "c", 0, 0, 0))
                .isNotEqualTo(MeterEventIdentifier.of("cus_1", "a", "bc", 0, 0, 0));
    }

    @Test
    void missingCustomerIsRefused() {
        assertThatThrownBy(() -> MeterEventIdentifier.of(null, "acme", "m", 0, 0, 0)).isInstanceOf(NullPointerException.class);
    }
}
