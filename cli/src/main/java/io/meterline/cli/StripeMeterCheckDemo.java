package io.meterline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.stripe.StripeClient;
import com.stripe.model.billing.Meter;
import com.stripe.param.billing.MeterCreateParams;

/**
 * Demo step: a Meterline COUNT meter declared against a Stripe meter whose formula is {@code count}. Stripe would
 * bill the number of meter events Meterline sends (one per changed window) instead of the usage, so billing
 * refuses the declaration with {@code stripe_meter_mismatch} and says how to fix it.
 */
final class StripeMeterCheckDemo {

    private final Demo demo;
    private final Stack stack;

    StripeMeterCheckDemo(Demo demo, Stack stack) {
        this.demo = demo;
        this.stack = stack;
    }

    void run() throws Exception {
        Demo.step("23", "Meters are checked against Stripe: a COUNT meter mapped to a Stripe meter with formula `count`"
                + " is refused at declaration");
        StripeClient stripe = StripeClient.builder().setApiKey(Stack.STANDIN_API_KEY).setApiBase(stack.stripeApiBase()).build();
        Meter counting = stripe.v1().billing().meters().create(MeterCreateParams.builder()
                .setDisplayName("support tickets").setEventName("support_tickets")
                .setDefaultAggregation(MeterCreateParams.DefaultAggregation.builder()
                        .setFormula(MeterCreateParams.DefaultAggregation.Formula.COUNT).build())
                .build());
        System.out.printf("   Stripe meter %s: event_name support_tickets, formula count%n", counting.getId());
        ObjectNode meter = Demo.JSON.createObjectNode().put("eventType", "support.ticket").put("aggregation", "COUNT")
                .put("stripeEventName", "support_tickets");
        JsonNode answer = demo.put(stack.billingUrl() + "/v1/meters/support-tickets", stack.operatorToken(), meter);
        demo.result.value("23 declaration", answer.path("_status").asInt() + " " + answer.path("code").asText());
        System.out.printf("   PUT /v1/meters/support-tickets → %d %s%n", answer.path("_status").asInt(),
                answer.path("code").asText());
        for (JsonNode error : answer.path("errors")) {
            System.out.printf("     %s: %s%n", error.path("field").asText(), error.path("reason").asText());
        }
        System.out.println("   " + answer.path("detail").asText());
    }
}
