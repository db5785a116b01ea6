package io.meterline.devstack.stripe;

import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.billing.Meter;
import com.stripe.model.billing.MeterEvent;
import com.stripe.param.billing.MeterCreateParams;
import com.stripe.param.billing.MeterEventCreateParams;
import org.junit.jupiter.api.Test;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Meter events: identifier uniqueness, value and timestamp rules, concurrency. */
class MeterEventsTests extends StandInTestBase {

    @Test
    void meterEventWithRepeatedIdentifierIsRefusedAsDuplicate() throws Exception {
        Meter meter = meter("dedupe", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer customer = customer("d@example.com");
        long now = Instant.now().getEpochSecond();
        MeterEvent first = meterEvent(meter.getEventName(), customer.getId(), 7, "id-1", now);
        assertThat(first.getIdentifier()).isEqualTo("id-1");
        assertThat(first.getPayload()).containsEntry("value", "7");

        assertThatThrownBy(() -> meterEvent(meter.getEventName(), customer.getId(), 9, "id-1", now))
                .isInstanceOfSatisfying(InvalidRequestException.class, e ->
                        assertThat(e.getStripeError().getMessage()).startsWith("An event already exists with identifier id-1"));
        assertThat(standIn.meterEventCount()).isEqualTo(1);
    }

    @Test
    void meterEventValueMustBeAWholeNumberAndTimestampRecent() throws Exception {
        meter("rules", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer customer = customer("r@example.com");
        assertThatThrownBy(() -> stripe.v1().billing().meterEvents().create(MeterEventCreateParams.builder()
                .setEventName("rules").putPayload("stripe_customer_id", customer.getId()).putPayload("value", "1.5")
                .build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.getParam()).isEqualTo("payload[value]"));
        long tooOld = Instant.now().minus(Duration.ofDays(36)).getEpochSecond();
        assertThatThrownBy(() -> meterEvent("rules", customer.getId(), 1, "old", tooOld))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.getParam()).isEqualTo("timestamp"));
        long tooNew = Instant.now().plus(Duration.ofMinutes(10)).getEpochSecond();
        assertThatThrownBy(() -> meterEvent("rules", customer.getId(), 1, "new", tooNew))
                .isInstanceOf(InvalidRequestException.class);
        assertThat(standIn.meterEventCount()).isZero();
    }

    @Test
    void manyConcurrentMeterEventsAreAllStored() throws Exception {
        meter("concurrent", MeterCreateParams.DefaultAggregation.Formula.SUM);
        Customer customer = customer("cc@example.com");
        long now = Instant.now().getEpochSecond();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                for (int i = 0; i < 50; i++) {
                    try {
                        meterEvent("concurrent", customer.getId(), 1, "c-" + thread + "-" + i, now);
                    } catch (StripeException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            worker.start();
            threads.add(worker);
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(standIn.meterEventCount()).isEqualTo(400);
        assertThat(standIn.hourlyTotals("concurrent", customer.getId()).values()).containsExactly(400L);
    }
}
