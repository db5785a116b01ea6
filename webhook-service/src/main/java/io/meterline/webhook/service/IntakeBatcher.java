package io.meterline.webhook.service;

import io.meterline.webhook.config.WebhookConfig;
import io.meterline.webhook.domain.ErrorCode;
import io.meterline.webhook.domain.ReceivedEvent;
import io.meterline.webhook.domain.WebhookException;
import io.meterline.webhook.repository.WebhookEventRepository;
import io.meterline.webhook.repository.WebhookEventRepository.BatchInsert;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Group commit of deliveries (docs/decisions/0150): deliveries that arrive while a batch is being written, or
 * within the linger of an idle one, are stored together by one unordered {@code insertMany}, and each is answered
 * when its batch is acknowledged by the store, never before.
 *
 * <p>Per event id there is one <em>leader</em>: the first delivery of an id not yet stored by this process. A
 * delivery of the same id that arrives while its leader waits or is being written follows the leader and is
 * answered with it (a redelivery once the leader is stored; the same failure if it is not), so concurrent
 * deliveries of one id cost one insert and yield one stored event. Ids stored earlier, or by another instance,
 * come back from the insert as duplicate-key errors: redeliveries, exactly as with one insert per delivery.
 */
@ApplicationScoped
public class IntakeBatcher {

    private static final Logger LOG = Logger.getLogger(IntakeBatcher.class);

    private final WebhookEventRepository events;
    private final long lingerNanos;
    private final int maxBatch;
    private final int maxWaiting;
    private final ScheduledExecutorService timer;

    /** Guarded by {@code this}: leaders not yet written, in arrival order. */
    private List<Member> waiting = new ArrayList<>();
    /** Guarded by {@code this}: every leader waiting or being written, by event id. */
    private final Map<String, Member> leaders = new HashMap<>();
    private boolean writing;
    private boolean lingering;

    public IntakeBatcher(WebhookEventRepository events, WebhookConfig config) {
        this.events = events;
        this.lingerNanos = config.intake().linger().toNanos();
        this.maxBatch = config.intake().maxBatch();
        this.maxWaiting = config.intake().maxWaiting();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "webhook-intake-linger");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Completes with true once this delivery's event is stored, false when it was stored already (a redelivery);
     * fails with {@link ErrorCode#STORE_UNAVAILABLE} when it could not be stored.
     */
    public Uni<Boolean> store(ReceivedEvent event, String payload) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        boolean flushNow = false;
        boolean scheduleLinger = false;
        synchronized (this) {
            Member leader = leaders.get(event.id());
            if (leader != null) {
                leader.followers.add(answer);
                return Uni.createFrom().completionStage(answer);
            }
            if (waiting.size() >= maxWaiting) {
                return Uni.createFrom().failure(new WebhookException(ErrorCode.STORE_UNAVAILABLE,
                        "too many deliveries are waiting to be stored; retry later"));
            }
            Member member = new Member(event, payload, answer);
            leaders.put(event.id(), member);
            waiting.add(member);
            if (!writing) {
                if (lingerNanos == 0 || waiting.size() >= maxBatch) {
                    writing = true;
                    flushNow = true;
                } else if (!lingering) {
                    lingering = true;
                    scheduleLinger = true;
                }
            }
        }
        if (flushNow) {
            write();
        } else if (scheduleLinger) {
            timer.schedule(this::lingerOver, lingerNanos, TimeUnit.NANOSECONDS);
        }
        return Uni.createFrom().completionStage(answer);
    }

    private void lingerOver() {
        synchronized (this) {
            lingering = false;
            if (writing || waiting.isEmpty()) {
                return; // a full batch or the previous write's completion took them
            }
            writing = true;
        }
        write();
    }

    /** Writes the next batch; called with {@code writing} set by the caller, which this clears when nothing waits. */
    private void write() {
        List<Member> batch;
        synchronized (this) {
            if (waiting.isEmpty()) {
                writing = false;
                return;
            }
            if (waiting.size() <= maxBatch) {
                batch = waiting;
                waiting = new ArrayList<>();
            } else {
                batch = new ArrayList<>(waiting.subList(0, maxBatch));
                waiting = new ArrayList<>(waiting.subList(maxBatch, waiting.size()));
            }
        }
        IntakeBatchEvent jfr = new IntakeBatchEvent();
        if (jfr.isEnabled()) {
            jfr.deliveries = batch.size();
            jfr.oldestWaited = System.nanoTime() - batch.get(0).arrived;
            jfr.begin();
        }
        List<ReceivedEvent> received = new ArrayList<>(batch.size());
        List<String> payloads = new ArrayList<>(batch.size());
        batch.forEach(member -> {
            received.add(member.event);
            payloads.add(member.payload);
        });
        Uni<List<BatchInsert>> insert;
        try {
            insert = events.insertBatch(received, payloads, "webhook");
        } catch (RuntimeException e) {
            insert = Uni.createFrom().failure(e);
        }
        insert.subscribe().with(answers -> {
            commit(jfr, true);
            completed(batch, answers, null);
        }, error -> {
            commit(jfr, false);
            completed(batch, null, error);
        });
    }

    private static void commit(IntakeBatchEvent jfr, boolean succeeded) {
        if (jfr.isEnabled()) {
            jfr.succeeded = succeeded;
            jfr.commit();
        }
    }

    private void completed(List<Member> batch, List<BatchInsert> answers, Throwable error) {
        if (error != null) {
            LOG.warnf("a batch of %d deliveries could not be stored (%s): answered 503, Stripe retries",
                    batch.size(), error.toString());
        }
        synchronized (this) {
            batch.forEach(member -> leaders.remove(member.event.id()));
        }
        for (int i = 0; i < batch.size(); i++) {
            Member member = batch.get(i);
            if (error != null) {
                member.fail(new WebhookException(ErrorCode.STORE_UNAVAILABLE, "event could not be stored", error));
            } else if (answers.get(i) == BatchInsert.FAILED) {
                member.fail(new WebhookException(ErrorCode.STORE_UNAVAILABLE, "event could not be stored"));
            } else {
                member.stored(answers.get(i) == BatchInsert.STORED);
            }
        }
        write(); // the next batch filled up meanwhile (or nothing waits: writing is cleared)
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    /** A leader delivery and the deliveries of the same id that follow it. */
    private static final class Member {
        final ReceivedEvent event;
        final String payload;
        final CompletableFuture<Boolean> answer;
        final List<CompletableFuture<Boolean>> followers = new ArrayList<>(0);
        final long arrived = System.nanoTime();

        Member(ReceivedEvent event, String payload, CompletableFuture<Boolean> answer) {
            this.event = event;
            this.payload = payload;
            this.answer = answer;
        }

        void stored(boolean byThisDelivery) {
            answer.complete(byThisDelivery);
            followers.forEach(follower -> follower.complete(false));
        }

        void fail(WebhookException e) {
            answer.completeExceptionally(e);
            followers.forEach(follower -> follower.completeExceptionally(e));
        }
    }
}
