package io.meterline.webhook.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything webhook-service can be told, under {@code webhook.*}. */
@ConfigMapping(prefix = "webhook")
public interface WebhookConfig {

    /**
     * Stripe endpoint signing secrets ({@code whsec_…}). More than one during a rotation: a delivery is accepted
     * when it verifies against any of them. Comes from the environment ({@code WEBHOOK_SIGNING_SECRETS},
     * comma separated); there is deliberately no default.
     */
    List<String> signingSecrets();

    /** How old a signature's timestamp may be (Stripe's replay protection). */
    @WithDefault("300s")
    Duration signatureTolerance();

    Stripe stripe();

    Processing processing();

    Intake intake();

    CatchUp catchUp();

    SyncCheck syncCheck();

    interface Stripe {
        /** Base URL of the Stripe API; the local stand-in in development and tests. */
        @WithDefault("https://api.stripe.com")
        String apiBase();

        /**
         * Secret API key. Without it the service still ingests and applies webhooks, but cannot resolve meter
         * event names from Stripe, settle same-second ties by re-fetching, or catch up missed events.
         */
        Optional<String> apiKey();

        @WithDefault("10s")
        Duration timeout();
    }

    interface Processing {
        /** Attempts before an event is marked {@code dead}. */
        @WithDefault("8")
        int maxAttempts();

        /** Delay before the second attempt; doubles (see multiplier) up to {@link #maxBackoff()}. */
        @WithDefault("1s")
        Duration initialBackoff();

        @WithDefault("2.0")
        double backoffMultiplier();

        @WithDefault("5m")
        Duration maxBackoff();

        /** How long a claimed event stays claimed: a worker that crashed is replaced after this. */
        @WithDefault("60s")
        Duration lease();

        /** How often stored events that are due (retries, expired leases, missed triggers) are looked for. */
        @WithDefault("1s")
        String sweepEvery();

        /**
         * While deliveries keep arriving, the jobs that scan the events collection — the sweep (unless a trigger was
         * dropped) and the gauge recount — run at most this often: on the dev Mongo-wire server each scan holds
         * the collection's lock, and every acknowledgement waits behind it. Idle, they keep their own schedules.
         * The sweep's first scan runs at start-up whatever the traffic (a restart's leftovers). 60 s = the lease: an
         * expired lease of another instance is found at most one lease late (docs/decisions/0153).
         */
        @WithDefault("60s")
        Duration scanWhileBusyEvery();

        /** Events claimed per sweep at most. */
        @WithDefault("500")
        int sweepBatch();

        /** Threads applying events (each a round of up to {@link #batch()} events at a time). */
        @WithDefault("2")
        int workers();

        /**
         * Events one worker claims, applies and marks per round: claims and completions are one bulk write per
         * round, subscription states one bulk write (docs/decisions/0150).
         */
        @WithDefault("200")
        int batch();

        /** How often the pending/dead gauges are recounted. */
        @WithDefault("5s")
        String gaugeRefreshEvery();
    }

    /** Group commit of deliveries (docs/decisions/0150). */
    interface Intake {
        /**
         * How long the first delivery of a batch waits for others before the batch is written, when no batch is
         * being written (while one is, the next batch fills up anyway). 0 = write at once.
         */
        @WithDefault("1ms")
        Duration linger();

        /** Deliveries stored by one {@code insertMany} at most. */
        @WithDefault("500")
        int maxBatch();

        /** Deliveries waiting to be stored at most; beyond it a delivery is answered 503 at once (Stripe retries). */
        @WithDefault("20000")
        int maxWaiting();
    }

    interface CatchUp {
        /** Schedule of the catch-up job ({@code off} disables it); it only runs when an API key is set. */
        @WithDefault("1h")
        String every();

        /** How far back the job lists Stripe events (Stripe keeps them 30 days). */
        @WithDefault("30d")
        Duration lookback();
    }

    interface SyncCheck {
        /**
         * How often Stripe's subscriptions are compared with the stored ones (also after every catch-up);
         * {@code off} disables the schedule. Only with an API key.
         */
        @WithDefault("15m")
        String every();

        /**
         * A subscription Stripe created longer ago than this and still missing here makes readiness report
         * {@code DEGRADED} (catch-up should have brought it): by default the catch-up interval.
         */
        @WithDefault("1h")
        Duration degradedAfter();
    }
}
