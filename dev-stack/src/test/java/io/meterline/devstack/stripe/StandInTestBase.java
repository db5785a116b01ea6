package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.Price;
import com.stripe.model.billing.Meter;
import com.stripe.model.billing.MeterEvent;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.billing.MeterCreateParams;
import com.stripe.param.billing.MeterEventCreateParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.net.http.HttpClient;

/** One stand-in per test class, reset before each test, with stripe-java pointed at it and a few object builders. */
abstract class StandInTestBase {

    static final String KEY = "sk_test_standin_tests";
    static StripeStandIn standIn;
    static StripeClient stripe;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() {
        standIn = StripeStandIn.start(0);
        stripe = client(2);
    }

    @AfterAll
    static void stop() {
        standIn.close();
    }

    @BeforeEach
    void clean() {
        standIn.reset();
    }

    static StripeClient client(int retries) {
        return StripeClient.builder().setApiKey(KEY).setApiBase(standIn.apiBase()).setMaxNetworkRetries(retries).build();
    }

    static Meter meter(String eventName, MeterCreateParams.DefaultAggregation.Formula formula) throws StripeException {
        return stripe.v1().billing().meters().create(MeterCreateParams.builder()
                .setDisplayName(eventName)
                .setEventName(eventName)
                .setDefaultAggregation(MeterCreateParams.DefaultAggregation.builder().setFormula(formula).build())
                .build());
    }

    static Price meteredPrice(Meter meter) throws StripeException {
        return stripe.v1().prices().create(PriceCreateParams.builder()
                .setCurrency("usd")
                .setUnitAmount(5L)
                .setProductData(PriceCreateParams.ProductData.builder().setName("API calls").build())
                .setRecurring(PriceCreateParams.Recurring.builder()
                        .setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                        .setUsageType(PriceCreateParams.Recurring.UsageType.METERED)
                        .setMeter(meter.getId())
                        .build())
                .build());
    }

    static Customer customer(String email) throws StripeException {
        return stripe.v1().customers().create(CustomerCreateParams.builder().setEmail(email).putMetadata("subject", email).build());
    }

    static MeterEvent meterEvent(String eventName, String customer, long value, String identifier, long timestamp)
            throws StripeException {
        return stripe.v1().billing().meterEvents().create(MeterEventCreateParams.builder()
                .setEventName(eventName)
                .putPayload("stripe_customer_id", customer)
                .putPayload("value", String.valueOf(value))
                .setIdentifier(identifier)
                .setTimestamp(timestamp)
                .build());
    }
}
