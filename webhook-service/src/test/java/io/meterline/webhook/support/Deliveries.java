package io.meterline.webhook.support;

import io.restassured.response.Response;

import static io.restassured.RestAssured.given;

/** Posts signed deliveries to the service under test. */
public final class Deliveries {

    private Deliveries() {
    }

    public static Response deliver(String body) {
        return deliver(body, StripeSigner.header(WebhookSecretsResource.newSecret(), body));
    }

    public static Response deliver(String body, String signatureHeader) {
        return given().contentType("application/json; charset=utf-8").header("Stripe-Signature", signatureHeader)
                .body(body).post("/webhooks/stripe");
    }
}
