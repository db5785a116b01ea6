package io.meterline.devstack.stripe;

import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Customer;
import com.stripe.model.StripeCollection;
import com.stripe.model.billing.Meter;
import com.stripe.model.billing.MeterEventSummary;
import com.stripe.param.billing.MeterCreateParams;
import com.stripe.param.billing.MeterEventAdjustmentCreateParams;
import com.stripe.param.billing.MeterEventSummaryListParams;
import org.junit.jupiter.api.Test;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Billing meters and their event summaries. */
class BillingMetersTests extends StandInTestBase {

    @Test
    void eventSummariesAggregatePerCustomerAndHour() throws Exception {
        Meter meter = meter("summed", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer a = customer("sa@example.com");
        Customer b = customer("sb@example.com");
        long hour = Instant.now().getEpochSecond() / 3600 * 3600 - 2 * 3600;
        meterEvent("summed", a.getId(), 5, "s1", hour + 10);
        meterEvent("summed", a.getId(), 6, "s2", hour + 3599);
        meterEvent("summed", a.getId(), 100, "s3", hour + 3600);
        meterEvent("summed", b.getId(), 1000, "s4", hour + 20);

        StripeCollection<MeterEventSummary> hourly = stripe.v1().billing().meters().eventSummaries().list(meter.getId(),
                MeterEventSummaryListParams.builder().setCustomer(a.getId()).setStartTime(hour).setEndTime(hour + 2 * 3600)
                        .setValueGroupingWindow(MeterEventSummaryListParams.ValueGroupingWindow.HOUR).build());
        assertThat(hourly.getData()).extracting(MeterEventSummary::getStartTime).containsExactly(hour, hour + 3600);
        assertThat(hourly.getData()).extracting(x -> x.getAggregatedValue().longValueExact()).containsExactly(11L, 100L);

        StripeCollection<MeterEventSummary> whole = stripe.v1().billing().meters().eventSummaries().list(meter.getId(),
                MeterEventSummaryListParams.builder().setCustomer(a.getId()).setStartTime(hour).setEndTime(hour + 3600).build());
        assertThat(whole.getData()).singleElement().extracting(x -> x.getAggregatedValue().longValueExact()).isEqualTo(11L);
        assertThat(standIn.hourlyTotals("summed", b.getId())).containsEntry(Instant.ofEpochSecond(hour), 1000L);

        assertThatThrownBy(() -> stripe.v1().billing().meters().eventSummaries().list(meter.getId(),
                MeterEventSummaryListParams.builder().setCustomer(a.getId()).setStartTime(hour + 1).setEndTime(hour + 3600).build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.getParam()).isEqualTo("start_time"));
    }

    @Test
    void lastFormulaSummarisesTheLatestValueAndCanceledEventsDoNotCount() throws Exception {
        Meter meter = meter("gauge", MeterCreateParams.DefaultAggregation.Formula.LAST);
        Customer a = customer("g@example.com");
        long hour = Instant.now().getEpochSecond() / 3600 * 3600 - 3600;
        meterEvent("gauge", a.getId(), 40, "g1", hour + 100);
        meterEvent("gauge", a.getId(), 30, "g2", hour + 200);
        meterEvent("gauge", a.getId(), 99, "g3", hour + 300);
        stripe.v1().billing().meterEventAdjustments().create(MeterEventAdjustmentCreateParams.builder()
                .setEventName("gauge").setType(MeterEventAdjustmentCreateParams.Type.CANCEL)
                .setCancel(MeterEventAdjustmentCreateParams.Cancel.builder().setIdentifier("g3").build()).build());

        StripeCollection<MeterEventSummary> summaries = stripe.v1().billing().meters().eventSummaries().list(meter.getId(),
                MeterEventSummaryListParams.builder().setCustomer(a.getId()).setStartTime(hour).setEndTime(hour + 3600).build());
        assertThat(summaries.getData().get(0).getAggregatedValue().longValueExact()).isEqualTo(30L);
    }
}
