package io.meterline.cli.bench.ingest;

import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A closed-loop HTTP/1.1 load generator: {@code connections} keep-alive connections, each with {@code pipelining}
 * requests in flight at a time (1 = no HTTP pipelining), so in-flight requests are bounded and latency is not
 * inflated by client-side queueing: a request's latency runs from its send to its whole answer.
 * It runs on one Vert.x event loop. Only answers received inside the measuring window are counted.
 */
public final class HttpLoad {

    /** What one phase measured. {@code statuses} counts every answer by HTTP status (warm-up excluded). */
    public record Result(long requests, long okRequests, double seconds, Histogram latencyMicros,
            Map<Integer, Long> statuses, long failures) {

        public double okPerSecond() {
            return okRequests / seconds;
        }

        public double percentileMillis(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private final Vertx vertx;
    private final String host;
    private final int port;
    private final String token;

    public HttpLoad(Vertx vertx, String host, int port, String token) {
        this.vertx = vertx;
        this.host = host;
        this.port = port;
        this.token = token;
    }

    /** Runs {@code warmup} then measures for {@code duration}; {@code body} is called on the event loop. */
    public Result run(int connections, Duration warmup, Duration duration, Supplier<byte[]> body, int okStatus,
            Runnable atMeasureStart, Runnable atMeasureEnd) throws Exception {
        return run(connections, 1, warmup, duration, body, okStatus, atMeasureStart, atMeasureEnd);
    }

    /** As above with {@code pipelining} requests in flight per connection (HTTP/1.1 pipelining when above 1). */
    public Result run(int connections, int pipelining, Duration warmup, Duration duration, Supplier<byte[]> body,
            int okStatus, Runnable atMeasureStart, Runnable atMeasureEnd) throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                .setPipelining(pipelining > 1).setPipeliningLimit(Math.max(1, pipelining))
                .setConnectTimeout(5000).setIdleTimeout(0),
                new PoolOptions().setHttp1MaxSize(connections));
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("Authorization", "Bearer " + token)
                .add("Content-Type", "application/json");
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
                .setURI("/v1/events").setHeaders(headers).setTimeout(30_000);
        Phase phase = new Phase(client, options, body, okStatus, connections * Math.max(1, pipelining),
                System.nanoTime() + warmup.toNanos(), duration);
        Context context = vertx.getOrCreateContext();
        context.runOnContext(ignored -> {
            vertx.setTimer(Math.max(1, warmup.toMillis()), id -> atMeasureStart.run());
            vertx.setTimer(Math.max(1, warmup.plus(duration).toMillis()), id -> atMeasureEnd.run());
            phase.start();
        });
        try {
            return phase.done.future().toCompletionStage().toCompletableFuture()
                    .get(warmup.plus(duration).toSeconds() + 120, TimeUnit.SECONDS);
        } finally {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** State of one phase; touched only on the one event-loop thread. */
    private static final class Phase {
        final HttpClient client;
        final RequestOptions options;
        final Supplier<byte[]> body;
        final int okStatus;
        /** Requests in flight: connections × pipelining. */
        final int inFlight;
        final long measureFrom;
        final long measureUntil;
        final Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        final Map<Integer, Long> statuses = new TreeMap<>();
        final Promise<Result> done = Promise.promise();
        long requests;
        long ok;
        long failures;
        int active;

        Phase(HttpClient client, RequestOptions options, Supplier<byte[]> body, int okStatus, int inFlight,
                long measureFrom, Duration duration) {
            this.client = client;
            this.options = options;
            this.body = body;
            this.okStatus = okStatus;
            this.inFlight = inFlight;
            this.measureFrom = measureFrom;
            this.measureUntil = measureFrom + duration.toNanos();
        }

        void start() {
            active = inFlight;
            for (int i = 0; i < inFlight; i++) {
                next();
            }
        }

        void next() {
            long started = System.nanoTime();
            if (started >= measureUntil) {
                if (--active == 0) {
                    double seconds = (measureUntil - measureFrom) / 1e9;
                    done.complete(new Result(requests, ok, seconds, latency, statuses, failures));
                }
                return;
            }
            Buffer payload = Buffer.buffer(body.get());
            client.request(options)
                    .compose(request -> request.send(payload))
                    .compose(response -> response.body().map(ignored -> response.statusCode()))
                    .onComplete(outcome -> {
                        long finished = System.nanoTime();
                        if (started >= measureFrom && finished <= measureUntil) {
                            requests++;
                            if (outcome.succeeded()) {
                                int status = outcome.result();
                                statuses.merge(status, 1L, Long::sum);
                                if (status == okStatus) {
                                    ok++;
                                    latency.recordValue(Math.min(latency.getHighestTrackableValue(),
                                            TimeUnit.NANOSECONDS.toMicros(finished - started)));
                                }
                            } else {
                                failures++;
                            }
                        }
                        next();
                    });
        }
    }
}
