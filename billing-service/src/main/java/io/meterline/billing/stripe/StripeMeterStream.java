package io.meterline.billing.stripe;

import java.util.List;

/**
 * Sends Billing Meter events through Stripe's v2 meter event stream: up to {@value #MAX_EVENTS} a request,
 * authenticated by a short-lived session token the implementation renews. Stripe answers a request as a whole and
 * validates its events later (errors arrive as {@code v1.billing.meter.error_report_triggered}); an identifier it
 * already has is ignored, so a re-send after a lost answer counts once.
 */
public interface StripeMeterStream {

    int MAX_EVENTS = 100;

    /** Sends the events in one request, retrying what is retryable; throws when it finally failed. */
    void send(List<StripeMeterGateway.MeterEvent> events) throws StripeCallException;
}
