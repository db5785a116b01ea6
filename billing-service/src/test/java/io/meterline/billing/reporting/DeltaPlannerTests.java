package io.meterline.billing.reporting;

import io.meterline.model.billing.CustomerDocument;
import io.meterline.model.billing.SubscriptionDocument;
import io.meterline.model.billing.SubscriptionItemDocument;
import io.meterline.model.report.MeterEventIdentifier;
import io.meterline.model.usage.Aggregation;
import io.meterline.model.usage.MeterDefinition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DeltaPlannerTests {

    static final Instant NOW = Instant.parse("2026-03-10T12:30:00Z");
    static final long HOUR = Instant.parse("2026-03-10T10:00:00Z").getEpochSecond();
    static final MeterDefinition CALLS = new MeterDefinition("calls", "api.call", Aggregation.SUM, "n", null, null,
            "api_calls", "price_calls");
    static final MeterDefinition STORAGE = new MeterDefinition("storage", "storage.sample", Aggregation.LAST, "gb", null,
            null, "storage_gb", "price_storage");

    final DeltaPlanner planner = new DeltaPlanner(Duration.ofDays(35));

    static CustomerDocument customer(String id, String subject, String organization) {
        CustomerDocument c = new CustomerDocument();
        c.id = id;
        c.subject = subject;
        c.organization = organization;
        return c;
    }

    static SubscriptionDocument subscription(String customer, String status, String... eventNames) {
        SubscriptionDocument s = new SubscriptionDocument();
        s.id = "sub_" + customer;
        s.customerId = customer;
        s.status = status;
        for (String eventName : eventNames) {
            SubscriptionItemDocument item = new SubscriptionItemDocument();
            item.id = "si_" + eventName;
            item.priceId = "price_other";
            item.meterEventName = eventName;
            s.items.add(item);
        }
        return s;
    }

    static CustomerDirectory directory() {
        return new CustomerDirectory(
                List.of(customer("cus_acme", "acme", null), customer("cus_org", null, "org-1"),
                        customer("cus_gone", "gone", null), customer("cus_plain", "plain", null)),
                List.of(subscription("cus_acme", "active", "api_calls", "storage_gb"),
                        subscription("cus_org", "trialing", "api_calls"),
                        subscription("cus_gone", "canceled", "api_calls"),
                        subscription("cus_plain", "active")));
    }

    static WindowView window(String meter, String subject, String organization, double value) {
        return new WindowView(meter, subject, organization, HOUR, value, Aggregation.SUM);
    }

    static LedgerEntry reported(long reported, long sequence) {
        LedgerEntry e = new LedgerEntry();
        e.reported = reported;
        e.sequence = sequence;
        return e;
    }

    DeltaPlanner.Plan plan(WindowView w, MeterDefinition meter, LedgerEntry entry) {
        return planner.plan(w, meter, entry, directory(), NOW);
    }

    @Test
    void firstReportSendsTheFlooredTotalWithADeterministicIdentifier() {
        DeltaPlanner.Send send = (DeltaPlanner.Send) plan(window("calls", "acme", null, 42.7), CALLS, null);
        assertThat(send.pending().amount()).isEqualTo(42);
        assertThat(send.pending().newReported()).isEqualTo(42);
        assertThat(send.pending().newSequence()).isEqualTo(1);
        assertThat(send.pending().customerId()).isEqualTo("cus_acme");
        assertThat(send.pending().eventName()).isEqualTo("api_calls");
        assertThat(send.pending().identifier()).isEqualTo(MeterEventIdentifier.of("cus_acme", "acme", "calls", HOUR, 0, 0));
        assertThat(send.pending().timestamp()).isEqualTo(HOUR);
    }

    @Test
    void laterReportSendsOnlyTheDeltaAtALaterTimestampInsideTheWindow() {
        DeltaPlanner.Send send = (DeltaPlanner.Send) plan(window("calls", "acme", null, 50), CALLS, reported(42, 1));
        assertThat(send.pending().amount()).isEqualTo(8);
        assertThat(send.pending().newReported()).isEqualTo(50);
        assertThat(send.pending().timestamp()).isEqualTo(HOUR + 1);
        assertThat(send.pending().identifier()).isEqualTo(MeterEventIdentifier.of("cus_acme", "acme", "calls", HOUR, 42, 1));
    }

    @Test
    void fractionBelowTheNextUnitIsCountedNotSent() {
        assertThat(plan(window("calls", "acme", null, 42.99), CALLS, reported(42, 1)))
                .isEqualTo(new DeltaPlanner.Skip(SkipReason.COUNTED));
    }

    @Test
    void gaugeReportsTheLastValueWhenItChanged() {
        WindowView gauge = new WindowView("storage", "acme", null, HOUR, 12.4, Aggregation.LAST);
        DeltaPlanner.Send send = (DeltaPlanner.Send) plan(gauge, STORAGE, reported(30, 2));
        assertThat(send.pending().amount()).isEqualTo(12);
        assertThat(send.pending().newReported()).isEqualTo(12);
        assertThat(plan(gauge, STORAGE, reported(12, 3))).isEqualTo(new DeltaPlanner.Skip(SkipReason.COUNTED));
    }

    @Test
    void organizationCustomerBillsASubjectWithoutItsOwn() {
        DeltaPlanner.Send send = (DeltaPlanner.Send) plan(window("calls", "member", "org-1", 5), CALLS, null);
        assertThat(send.pending().customerId()).isEqualTo("cus_org");
    }

    @Test
    void organizationsOwnCustomerWinsOverAMembersCustomerNamingIt() {
        CustomerDirectory directory = new CustomerDirectory(
                List.of(customer("cus_org", null, "org-2"), customer("cus_member", "member", "org-2")),
                List.of(subscription("cus_org", "active", "api_calls"), subscription("cus_member", "active", "api_calls")));
        DeltaPlanner.Send send = (DeltaPlanner.Send) planner.plan(window("calls", "other", "org-2", 5), CALLS, null,
                directory, NOW);
        assertThat(send.pending().customerId()).isEqualTo("cus_org");
    }

    @Test
    void subjectsOwnCustomerComesBeforeItsOrganizations() {
        DeltaPlanner.Send send = (DeltaPlanner.Send) plan(window("calls", "acme", "org-1", 5), CALLS, null);
        assertThat(send.pending().customerId()).isEqualTo("cus_acme");
    }

    @Test
    void eachSkipReasonIsGiven() {
        assertThat(plan(window("calls", "free", null, 5), CALLS, null)).isEqualTo(new DeltaPlanner.Skip(SkipReason.NO_STRIPE_CUSTOMER));
        assertThat(plan(window("calls", "gone", null, 5), CALLS, null)).isEqualTo(new DeltaPlanner.Skip(SkipReason.SUBSCRIPTION_NOT_ACTIVE));
        assertThat(plan(window("calls", "plain", null, 5), CALLS, null)).isEqualTo(new DeltaPlanner.Skip(SkipReason.NO_METERED_ITEM));
        assertThat(plan(window("unknown", "acme", null, 5), null, null)).isEqualTo(new DeltaPlanner.Skip(SkipReason.METER_NOT_MAPPED));
        WindowView old = new WindowView("calls", "acme", null, NOW.minus(Duration.ofDays(36)).getEpochSecond() / 3600 * 3600, 5,
                Aggregation.SUM);
        assertThat(plan(old, CALLS, null)).isEqualTo(new DeltaPlanner.Skip(SkipReason.OUTSIDE_STRIPE_WINDOW));
        assertThat(plan(window("calls", "acme", null, 5), CALLS, reported(5, 1))).isEqualTo(new DeltaPlanner.Skip(SkipReason.COUNTED));
        assertThat(plan(window("calls", "acme", null, 3), CALLS, reported(5, 1))).isEqualTo(new DeltaPlanner.Skip(SkipReason.TOTAL_DECREASED));
    }

    @Test
    void itemIsFoundByPriceWhenTheMeterEventNameIsUnknown() {
        SubscriptionDocument sub = subscription("cus_p", "active");
        SubscriptionItemDocument item = new SubscriptionItemDocument();
        item.id = "si_1";
        item.priceId = "price_calls";
        sub.items.add(item);
        CustomerDirectory directory = new CustomerDirectory(List.of(customer("cus_p", "p", null)), List.of(sub));
        assertThat(planner.plan(window("calls", "p", null, 2), CALLS, null, directory, NOW)).isInstanceOf(DeltaPlanner.Send.class);
    }

    @Test
    void openWindowNeverGetsAFutureTimestamp() {
        long currentHour = NOW.getEpochSecond() / 3600 * 3600;
        WindowView open = new WindowView("calls", "acme", null, currentHour, 9, Aggregation.SUM);
        DeltaPlanner.Send send = (DeltaPlanner.Send) plan(open, CALLS, reported(1, 3000));
        assertThat(send.pending().timestamp()).isLessThanOrEqualTo(NOW.getEpochSecond()).isGreaterThanOrEqualTo(currentHour);
    }

    static CustomerDirectory withStatus(String status) {
        return new CustomerDirectory(List.of(customer("cus_s", "s", null)), List.of(subscription("cus_s", status, "api_calls")));
    }

    DeltaPlanner.Plan planFor(String status, long windowStart, DeltaPlanner with) {
        return with.plan(new WindowView("calls", "s", null, windowStart, 5, Aggregation.SUM), CALLS, null, withStatus(status), NOW);
    }

    @Test
    void pastDueUsageIsReportedByDefaultBecauseStripeKeepsInvoicingIt() {
        assertThat(planFor("past_due", HOUR, planner)).isInstanceOf(DeltaPlanner.Send.class);
    }

    @Test
    void unpaidAndIncompleteUsageIsHeldAndNearStripesLimitItRaisesTheAlert() {
        assertThat(planFor("unpaid", HOUR, planner)).isEqualTo(new DeltaPlanner.Skip(SkipReason.SUBSCRIPTION_HELD));
        assertThat(planFor("incomplete", HOUR, planner)).isEqualTo(new DeltaPlanner.Skip(SkipReason.SUBSCRIPTION_HELD));
        long thirtyDaysAgo = NOW.minus(Duration.ofDays(30)).getEpochSecond() / 3600 * 3600;
        assertThat(planFor("unpaid", thirtyDaysAgo, planner))
                .isEqualTo(new DeltaPlanner.Skip(SkipReason.SUBSCRIPTION_HELD_NEAR_DEADLINE));
        long beyond = NOW.minus(Duration.ofDays(36)).getEpochSecond() / 3600 * 3600;
        assertThat(planFor("unpaid", beyond, planner)).isEqualTo(new DeltaPlanner.Skip(SkipReason.OUTSIDE_STRIPE_WINDOW));
    }

    @Test
    void pausedCanceledAndExpiredUsageIsSkippedAndAnUnknownStatusNeverBills() {
        for (String status : List.of("paused", "canceled", "incomplete_expired", "some_future_status")) {
            assertThat(planFor(status, HOUR, planner)).as(status).isEqualTo(new DeltaPlanner.Skip(SkipReason.SUBSCRIPTION_NOT_ACTIVE));
        }
    }

    @Test
    void configuredPolicyReplacesTheDefaults() {
        SubscriptionPolicy strict = new SubscriptionPolicy(java.util.Map.of("past_due", SubscriptionPolicy.Action.HOLD,
                "paused", SubscriptionPolicy.Action.REPORT), Duration.ofDays(20));
        DeltaPlanner configured = new DeltaPlanner(Duration.ofDays(35), strict);
        assertThat(planFor("past_due", HOUR, configured)).isEqualTo(new DeltaPlanner.Skip(SkipReason.SUBSCRIPTION_HELD));
        assertThat(planFor("paused", HOUR, configured)).isInstanceOf(DeltaPlanner.Send.class);
        assertThat(planFor("active", HOUR, configured)).isInstanceOf(DeltaPlanner.Send.class);
    }

    @Test
    void reportableSubscriptionWinsOverAHeldOneOfTheSameCustomer() {
        CustomerDirectory directory = new CustomerDirectory(List.of(customer("cus_s", "s", null)),
                List.of(subscription("cus_s", "unpaid", "api_calls"), subscription("cus_s", "active", "api_calls")));
        assertThat(planner.plan(window("calls", "s", null, 5), CALLS, null, directory, NOW)).isInstanceOf(DeltaPlanner.Send.class);
    }

    @Test
    void aNonFiniteOrAbsurdTotalIsNeverSentButSkippedAsOutOfRange() {
        for (double value : new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 3.4e38,
                9_007_199_254_740_992d, -9_007_199_254_740_992d}) {
            DeltaPlanner.Plan plan = planner.plan(window("calls", "acme", null, value), CALLS, null, directory(), NOW);
            assertThat(plan).as("%s", value).isEqualTo(new DeltaPlanner.Skip(SkipReason.VALUE_OUT_OF_RANGE));
        }
        DeltaPlanner.Plan gauge = planner.plan(new WindowView("storage", "acme", null, HOUR, Double.POSITIVE_INFINITY,
                Aggregation.LAST), STORAGE, null, directory(), NOW);
        assertThat(gauge).isEqualTo(new DeltaPlanner.Skip(SkipReason.VALUE_OUT_OF_RANGE));
    }

    @Test
    void theLargestExactTotalIsStillSent() {
        DeltaPlanner.Plan plan = planner.plan(window("calls", "acme", null, 9_007_199_254_740_991d), CALLS, null,
                directory(), NOW);
        assertThat(plan).isInstanceOf(DeltaPlanner.Send.class);
        assertThat(((DeltaPlanner.Send) plan).pending().amount()).isEqualTo(9_007_199_254_740_991L);
    }

    @Test
    void aDeltaRefusedAfterTheStreamAcceptedItIsPlannedAgainUnderANewIdentifier() {
        WindowView w = window("calls", "acme", null, 30);
        LedgerEntry entry = reported(10, 1);
        entry.pending = ((DeltaPlanner.Send) plan(w, CALLS, entry)).pending();
        String refused = entry.pending.identifier();
        entry.accepted(1_000L);
        assertThat(plan(w, CALLS, entry)).isEqualTo(new DeltaPlanner.Skip(SkipReason.COUNTED));

        entry.refused(entry.accepted.get(0), false, "Stripe error report evt_1: 1 meter event could not be processed");
        DeltaPlanner.Send again = (DeltaPlanner.Send) plan(w, CALLS, entry);
        assertThat(again.pending().amount()).as("the refused amount is owed again").isEqualTo(20);
        // Stripe ignores an identifier it has seen, valid or not: the same one would be dropped
        assertThat(again.pending().identifier()).isNotEqualTo(refused);
        assertThat(entry.accepted).isEmpty();
    }

    @Test
    void anAcceptedDeltaConfirmedPastTheErrorWindowJoinsTheHistory() {
        WindowView w = window("calls", "acme", null, 12);
        LedgerEntry entry = reported(0, 0);
        entry.pending = ((DeltaPlanner.Send) plan(w, CALLS, entry)).pending();
        entry.accepted(5_000L);
        entry.confirmed(entry.accepted.get(0));
        assertThat(entry.accepted).isEmpty();
        assertThat(entry.history).singleElement().satisfies(d -> {
            assertThat(d.amount()).isEqualTo(12);
            assertThat(d.deliveredAt()).isEqualTo(5_000L);
        });
        assertThat(plan(w, CALLS, entry)).isEqualTo(new DeltaPlanner.Skip(SkipReason.COUNTED));
    }

    @Test
    void aRefusedGaugeValueFallsBackToTheValueBeforeIt() {
        WindowView w = new WindowView("storage", "acme", null, HOUR, 9, Aggregation.LAST);
        LedgerEntry entry = reported(4, 1);
        entry.pending = ((DeltaPlanner.Send) plan(w, STORAGE, entry)).pending();
        entry.accepted(1L);
        entry.refused(entry.accepted.get(0), true, "refused");
        DeltaPlanner.Send again = (DeltaPlanner.Send) plan(w, STORAGE, entry);
        assertThat(again.pending().amount()).isEqualTo(9);
        assertThat(again.pending().newSequence()).isEqualTo(3);
    }
}
