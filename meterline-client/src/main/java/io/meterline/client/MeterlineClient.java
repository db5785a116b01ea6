package io.meterline.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends usage events to Meterline's ingest API ({@code POST /v1/events}) without ever losing one.
 *
 * <p>{@link #record} writes the event to an append-only spool on local disk and returns: it never waits for the
 * network. One sender thread reads the spool in order, sends batches (at most {@code batchSize} events, or what
 * arrived within {@code linger}), and marks them done once Meterline answered. While Meterline is unreachable or
 * answers 429/5xx, the batch is retried with exponential backoff and jitter (never sooner than {@code Retry-After})
 * and new events wait in the spool; a restart of the process replays whatever was not answered, in order, with the
 * same ids, so a resend is counted once. Events Meterline rejects go to the rejection callback and are never sent
 * again. See the module README for the guarantees.
 */
public final class MeterlineClient implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MeterlineClient.class.getName());
    public static final int MAX_BATCH_SIZE = 1000;

    private final ObjectMapper mapper = new ObjectMapper();
    private final Builder config;
    private final Spool spool;
    private final Delivery delivery;
    private final Backoff backoff;
    private final Thread sender;
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final long spooledAtStart;
    private volatile boolean unreachable;
    private volatile boolean running = true;

    private MeterlineClient(Builder builder) {
        this.config = builder;
        this.spool = new Spool(builder.spoolDirectory, builder.maxSpoolBytes, builder.segmentBytes, builder.fsync);
        this.spooledAtStart = spool.appendedTotal();
        HttpClient http = HttpClient.newBuilder().connectTimeout(builder.connectTimeout).build();
        this.delivery = new Delivery(http, builder.endpoint.resolve("/v1/events"), builder.token,
                builder.requestTimeout, mapper);
        this.backoff = new Backoff(builder.initialBackoff, builder.maxBackoff);
        this.sender = new Thread(this::sendLoop, "meterline-client-sender");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Records one event: appended to the spool and returned from, without waiting for the network. When the spool
     * is at its bound, blocks or throws {@link SpoolFullException} as configured ({@link SpoolFullPolicy}).
     *
     * @return the event's id (kept across retries and restarts)
     */
    public String record(MeterlineEvent event) {
        byte[] json = toJson(event);
        if (config.whenFull == SpoolFullPolicy.REJECT) {
            if (!spool.tryAppend(json)) {
                refused.incrementAndGet();
                throw new SpoolFullException("the spool holds " + spool.pendingBytes() + " bytes of unsent events, "
                        + "its bound is " + config.maxSpoolBytes + "; Meterline has been unreachable too long");
            }
        } else {
            try {
                spool.append(json);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for room in the spool; not recorded", e);
            }
        }
        recorded.incrementAndGet();
        return event.id();
    }

    /** Waits until every recorded event is answered (stored or rejected); false when the timeout came first. */
    public boolean flush(Duration timeout) {
        try {
            return spool.awaitDrained(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public ClientMetrics metrics() {
        return new ClientMetrics(recorded.get(), spool.pending(), spool.pendingBytes(),
                spool.appendedTotal() - spooledAtStart, sent.get(), rejected.get(), refused.get(), failedAttempts.get(),
                unreachable);
    }

    /**
     * Tries to deliver what is spooled for up to {@code closeTimeout}, then stops. Whatever is still unanswered
     * stays in the spool and is sent by the next client opened on the same directory.
     */
    @Override
    public void close() {
        flush(config.closeTimeout);
        running = false;
        sender.interrupt();
        try {
            sender.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        spool.close();
    }

    private byte[] toJson(MeterlineEvent event) {
        ObjectNode node = mapper.createObjectNode();
        node.put("id", event.id());
        node.put("source", event.source() != null ? event.source() : config.source);
        node.put("type", event.type());
        node.put("subject", event.subject());
        node.put("time", event.time().toString());
        if (event.organization() != null) {
            node.put("organization", event.organization());
        }
        node.set("data", mapper.valueToTree(event.data()));
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the event's data cannot be written as JSON", e);
        }
    }

    private void sendLoop() {
        long lastSync = System.nanoTime();
        while (running) {
            try {
                List<Spool.Entry> batch = spool.next(config.batchSize, config.linger, Duration.ofMillis(200));
                if (!batch.isEmpty()) {
                    deliver(batch);
                }
                if (config.fsync == FsyncPolicy.INTERVAL && System.nanoTime() - lastSync >= config.fsyncInterval.toNanos()) {
                    spool.sync();
                    lastSync = System.nanoTime();
                }
            } catch (InterruptedException e) {
                // close(): what is not answered stays in the spool
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.log(Level.WARNING, "Meterline client sender: " + e, e);
                failedAttempts.incrementAndGet();
                pause(backoff.delay(1, null));
            }
        }
    }

    /** Delivers one batch (halves when refused as a whole), retrying until Meterline answered; then commits it. */
    private void deliver(List<Spool.Entry> batch) throws InterruptedException {
        List<byte[]> payloads = new ArrayList<>(batch.size());
        batch.forEach(entry -> payloads.add(entry.payload()));
        int attempt = 0;
        while (true) {
            Delivery.Outcome outcome = delivery.send(payloads);
            if (outcome instanceof Delivery.Answered answered) {
                unreachable = false;
                sent.addAndGet(answered.stored());
                for (Rejection rejection : answered.rejections()) {
                    rejected.incrementAndGet();
                    try {
                        config.onRejected.accept(rejection);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "the rejection callback failed", e);
                    }
                }
                spool.commit(batch.get(batch.size() - 1).end(), batch.size());
                return;
            }
            if (outcome instanceof Delivery.Split) {
                int half = batch.size() / 2;
                deliver(batch.subList(0, half));
                deliver(batch.subList(half, batch.size()));
                return;
            }
            Delivery.Retry retry = (Delivery.Retry) outcome;
            unreachable = true;
            failedAttempts.incrementAndGet();
            attempt++;
            Duration delay = backoff.delay(attempt, retry.retryAfter());
            if (attempt == 1 || attempt % 10 == 0) {
                LOG.warning("Meterline did not take " + batch.size() + " events (" + retry.why() + "); attempt "
                        + attempt + ", next in " + delay.toMillis() + " ms; " + spool.pending() + " events spooled");
            }
            Thread.sleep(delay.toMillis());
        }
    }

    private static void pause(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Configuration; {@code endpoint}, {@code token} and {@code source} are required. */
    public static final class Builder {
        private URI endpoint;
        private Supplier<String> token;
        private String source;
        private Path spoolDirectory = Path.of("meterline-spool");
        private long maxSpoolBytes = 512L * 1024 * 1024;
        private long segmentBytes = 16L * 1024 * 1024;
        private SpoolFullPolicy whenFull = SpoolFullPolicy.BLOCK;
        private FsyncPolicy fsync = FsyncPolicy.INTERVAL;
        private Duration fsyncInterval = Duration.ofSeconds(1);
        private int batchSize = 500;
        private Duration linger = Duration.ofMillis(50);
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private Consumer<Rejection> onRejected = rejection -> LOG.warning("Meterline rejected event " + rejection.id()
                + ": " + rejection.field() + " " + rejection.reason());

        private Builder() {
        }

        /** The ingest API's base URI, e.g. {@code https://ingest.example.com}. */
        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** A bearer token with role {@code usage:write}. */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            this.token = () -> token;
            return this;
        }

        /** A token source asked before every request (for tokens that rotate). */
        public Builder token(Supplier<String> token) {
            this.token = token;
            return this;
        }

        /** The events' {@code source} unless an event sets its own, e.g. the service's name. */
        public Builder source(String source) {
            this.source = source;
            return this;
        }

        /** Where the spool lives; one client per directory (locked). Default {@code ./meterline-spool}. */
        public Builder spoolDirectory(Path directory) {
            this.spoolDirectory = directory;
            return this;
        }

        /** Bound of unanswered events on disk, in bytes (default 512 MiB). */
        public Builder maxSpoolBytes(long bytes) {
            this.maxSpoolBytes = bytes;
            return this;
        }

        /** Size at which a new spool segment file is started (default 16 MiB); answered segments are deleted. */
        public Builder segmentBytes(long bytes) {
            this.segmentBytes = bytes;
            return this;
        }

        /** What {@code record} does when the spool is full (default {@link SpoolFullPolicy#BLOCK}). */
        public Builder whenSpoolFull(SpoolFullPolicy policy) {
            this.whenFull = policy;
            return this;
        }

        public Builder fsync(FsyncPolicy policy) {
            this.fsync = policy;
            return this;
        }

        public Builder fsyncInterval(Duration interval) {
            this.fsyncInterval = interval;
            return this;
        }

        /** Events per request, 1 to {@value MeterlineClient#MAX_BATCH_SIZE} (default 500). */
        public Builder batchSize(int size) {
            if (size < 1 || size > MAX_BATCH_SIZE) {
                throw new IllegalArgumentException("batchSize must be between 1 and " + MAX_BATCH_SIZE);
            }
            this.batchSize = size;
            return this;
        }

        /** How long a partial batch waits for more events (default 50 ms). */
        public Builder linger(Duration linger) {
            this.linger = linger;
            return this;
        }

        /** First retry delay (default 200 ms), doubled per attempt with jitter up to {@code maxBackoff}. */
        public Builder initialBackoff(Duration delay) {
            this.initialBackoff = delay;
            return this;
        }

        public Builder maxBackoff(Duration delay) {
            this.maxBackoff = delay;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** How long {@link MeterlineClient#close()} tries to deliver what is spooled (default 5 s). */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /** Called once per event Meterline rejected (field and reason); such events are never retried. */
        public Builder onRejected(Consumer<Rejection> callback) {
            this.onRejected = callback;
            return this;
        }

        public MeterlineClient build() {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(source, "source");
            return new MeterlineClient(this);
        }
    }
}
