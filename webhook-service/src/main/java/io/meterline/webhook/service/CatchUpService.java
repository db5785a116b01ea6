package io.meterline.webhook.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterline.webhook.config.WebhookConfig;
import io.meterline.webhook.domain.ErrorCode;
import io.meterline.webhook.domain.EventStatus;
import io.meterline.webhook.domain.EventEnvelopes;
import io.meterline.webhook.domain.ReceivedEvent;
import io.meterline.webhook.domain.WebhookException;
import io.meterline.webhook.repository.WebhookEventRepository;
import io.meterline.webhook.stripe.StripeGateway;
import io.meterline.webhook.stripe.StripeGatewayException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lists Stripe's recent events and stores those never delivered (an outage longer than Stripe's three days of
 * retries, an endpoint registered late, a deleted delivery). Stored events go through the normal processing, so
 * order safety and idempotency hold for them as for deliveries.
 */
@ApplicationScoped
public class CatchUpService {

    private static final Logger LOG = Logger.getLogger(CatchUpService.class);
    private static final Duration SETTLE = Duration.ofSeconds(30);

    private final StripeGateway stripe;
    private final WebhookEventRepository events;
    private final ProcessingWorker worker;
    private final ObjectMapper json;
    private final Duration lookback;
    private final ReentrantLock running = new ReentrantLock();
    private final StripeSyncCheck sync;

    public CatchUpService(StripeGateway stripe, WebhookEventRepository events, ProcessingWorker worker,
                          ObjectMapper json, WebhookConfig config, StripeSyncCheck sync) {
        this.sync = sync;
        this.stripe = stripe;
        this.events = events;
        this.worker = worker;
        this.json = json;
        this.lookback = config.catchUp().lookback();
    }

    public boolean available() {
        return stripe.configured();
    }

    public Result run() {
        if (!stripe.configured()) {
            throw new WebhookException(ErrorCode.STRIPE_NOT_CONFIGURED, "catch-up needs webhook.stripe.api-key");
        }
        if (!running.tryLock()) {
            throw new WebhookException(ErrorCode.INVALID_REQUEST, "a catch-up is already running");
        }
        try {
            long since = Instant.now().minus(lookback).getEpochSecond();
            long[] counts = new long[2];
            stripe.listEventsSince(since, listed -> {
                counts[0]++;
                ReceivedEvent event = envelope(listed.json());
                if (events.insertIfAbsentBlocking(event, listed.json(), "catch-up")) {
                    counts[1]++;
                    worker.trigger(event.id());
                }
            });
            Result result = new Result(since, counts[0], counts[1], counts[0] - counts[1]);
            LOG.infof("catch-up: %d events listed since %d, %d newly stored", result.listed(), since, result.stored());
            // what catch-up could not bring (events older than Stripe keeps, a lost document) shows up here, once
            // the events it stored were applied (bounded: a failing event retries in the background)
            awaitApplied(result.stored() > 0 ? SETTLE : Duration.ZERO);
            sync.run();
            return result;
        } catch (StripeGatewayException e) {
            throw new WebhookException(ErrorCode.STRIPE_UNAVAILABLE, e.getMessage(), e);
        } finally {
            running.unlock();
        }
    }

    private void awaitApplied(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline
                && events.count(EventStatus.PENDING) + events.count(EventStatus.PROCESSING) > 0) {
            LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
        }
    }

    private ReceivedEvent envelope(String eventJson) {
        try {
            return EventEnvelopes.parse(json.readTree(eventJson));
        } catch (IOException e) {
            throw new WebhookException(ErrorCode.STRIPE_UNAVAILABLE, "Stripe listed an event that is not JSON", e);
        }
    }

    /** What one catch-up did. */
    public record Result(long since, long listed, long stored, long alreadyStored) {
    }
}
