package io.meterline.billing.reconciliation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WindowClassifierTests {

    static WindowGroup group(long billable, long reported) {
        WindowGroup g = new WindowGroup("cus_1", "calls", "calls", 3600, false);
        g.billable = billable;
        g.reported = reported;
        return g;
    }

    @Test
    void stripeHoldingWhatTheLedgerSentIsAMatch() {
        assertThat(WindowClassifier.classify(group(10, 10), 10.0)).isEqualTo(new WindowClassifier.Verdict(WindowClass.MATCH, 0));
    }

    @Test
    void stripeHoldingLessIsUnderReportedByTheDifference() {
        assertThat(WindowClassifier.classify(group(10, 10), 4.0))
                .isEqualTo(new WindowClassifier.Verdict(WindowClass.UNDER_REPORTED, 6));
    }

    @Test
    void gaugeUnderReportedResendsItsValue() {
        WindowGroup g = new WindowGroup("cus_1", "seats", "seats", 3600, true);
        g.billable = 7;
        g.reported = 7;
        assertThat(WindowClassifier.classify(g, 3.0)).isEqualTo(new WindowClassifier.Verdict(WindowClass.UNDER_REPORTED, 7));
    }

    @Test
    void stripeHoldingMoreIsOverReportedAndNothingIsSent() {
        assertThat(WindowClassifier.classify(group(10, 10), 12.0))
                .isEqualTo(new WindowClassifier.Verdict(WindowClass.OVER_REPORTED, 0));
    }

    @Test
    void aDeltaInFlightIsPendingWhateverStripeShows() {
        WindowGroup g = group(10, 10);
        g.pending = true;
        assertThat(WindowClassifier.classify(g, 0.0).windowClass()).isEqualTo(WindowClass.PENDING);
    }

    @Test
    void billableAheadOfTheLedgerIsPendingNotDrift() {
        assertThat(WindowClassifier.classify(group(12, 10), 10.0).windowClass()).isEqualTo(WindowClass.PENDING);
    }

    @Test
    void unreadableSummaryIsStripeUnknown() {
        assertThat(WindowClassifier.classify(group(10, 10), null).windowClass()).isEqualTo(WindowClass.STRIPE_UNKNOWN);
    }

    @Test
    void skippedWindowIsNotBillableEvenWhenStripeIsUnknown() {
        WindowGroup g = group(10, 0);
        g.skipReason = "no_stripe_customer";
        assertThat(WindowClassifier.classify(g, null).windowClass()).isEqualTo(WindowClass.NOT_BILLABLE);
    }

    @Test
    void correctionIdentifierIsDeterministicPrefixedAndChangesWithEachDeliveredCorrection() {
        String first = CorrectionIdentifier.of("cus_1", "calls", 3600, 10, 4, 0);
        assertThat(first).startsWith("mlrc1_").hasSize(38).isEqualTo(CorrectionIdentifier.of("cus_1", "calls", 3600, 10, 4, 0));
        assertThat(CorrectionIdentifier.of("cus_1", "calls", 3600, 10, 4, 1)).isNotEqualTo(first);
        assertThat(CorrectionIdentifier.of("cus_2", "calls", 3600, 10, 4, 0)).isNotEqualTo(first);
    }
}
