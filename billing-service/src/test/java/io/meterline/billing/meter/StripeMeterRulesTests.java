package io.meterline.billing.meter;

import io.meterline.billing.stripe.StripeCatalog.MeterInfo;
import io.meterline.model.Violation;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StripeMeterRulesTests {

    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    static MeterDefinition meter(Aggregation aggregation) {
        return new MeterDefinition("m", "e", aggregation, aggregation == Aggregation.COUNT ? null : "n", null, null,
                "calls", null);
    }

    static MeterInfo stripe(String formula, String customerKey, String valueKey, String status) {
        return new MeterInfo("mtr_1", "calls", formula, "by_id", customerKey, valueKey, status);
    }

    static MeterInfo stripe(String formula) {
        return stripe(formula, "stripe_customer_id", "value", "active");
    }

    @ParameterizedTest
    @EnumSource(value = Aggregation.class, names = "LAST", mode = EnumSource.Mode.EXCLUDE)
    void everyDeltaMeterNeedsASumStripeMeter(Aggregation aggregation) {
        assertThat(StripeMeterRules.check(meter(aggregation), List.of(stripe("sum")), NOW).status()).isEqualTo("ok");
        MeterCheck count = StripeMeterRules.check(meter(aggregation), List.of(stripe("count")), NOW);
        assertThat(count.mismatched()).isTrue();
        assertThat(count.refusesDeclaration()).isTrue();
        assertThat(count.problems()).extracting(Violation::reason).containsExactly("stripe_formula_mismatch");
        assertThat(count.explanation()).contains("formula count").contains("needs sum").contains("Fix:");
        assertThat(StripeMeterRules.check(meter(aggregation), List.of(stripe("last")), NOW).mismatched()).isTrue();
    }

    @Test
    void gaugeNeedsALastStripeMeter() {
        assertThat(StripeMeterRules.check(meter(Aggregation.LAST), List.of(stripe("last")), NOW).status()).isEqualTo("ok");
        assertThat(StripeMeterRules.check(meter(Aggregation.LAST), List.of(stripe("sum")), NOW).mismatched()).isTrue();
    }

    @Test
    void customerAndValueKeysMustBeWhatTheReporterSends() {
        MeterCheck check = StripeMeterRules.check(meter(Aggregation.SUM),
                List.of(stripe("sum", "customer", "amount", "active")), NOW);
        assertThat(check.problems()).extracting(Violation::reason)
                .containsExactly("stripe_customer_mapping_mismatch", "stripe_value_key_mismatch");
        assertThat(check.explanation()).contains("stripe_customer_id").contains("amount");
    }

    @Test
    void inactiveStripeMeterCannotTakeEventsAndIsRefused() {
        MeterCheck check = StripeMeterRules.check(meter(Aggregation.SUM),
                List.of(stripe("sum", "stripe_customer_id", "value", "inactive")), NOW);
        assertThat(check.refusesDeclaration()).isTrue();
        assertThat(check.problems()).extracting(Violation::reason).containsExactly("stripe_meter_inactive");
        assertThat(check.fix()).contains("reactivate");
    }

    @Test
    void activeMeterWinsOverAnInactiveOneWithTheSameEventName() {
        MeterInfo inactive = new MeterInfo("mtr_old", "calls", "count", "by_id", "stripe_customer_id", "value", "inactive");
        MeterCheck check = StripeMeterRules.check(meter(Aggregation.SUM), List.of(inactive, stripe("sum")), NOW);
        assertThat(check.status()).isEqualTo("ok");
        assertThat(check.stripeMeterId()).isEqualTo("mtr_1");
    }

    @Test
    void missingStripeMeterIsFlaggedButNotRefused() {
        MeterCheck check = StripeMeterRules.check(meter(Aggregation.SUM), List.of(), NOW);
        assertThat(check.mismatched()).isTrue();
        assertThat(check.refusesDeclaration()).isFalse();
        assertThat(check.fix()).contains("create a Stripe billing meter with event_name calls").contains("formula sum");
    }
}
