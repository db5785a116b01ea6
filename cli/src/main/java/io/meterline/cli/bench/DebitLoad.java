package io.meterline.cli.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonFactory;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The debit phase of {@code bench balances}: {@code clients} closed loops, each sending its next debit when the
 * previous one was answered, on one Vert.x event loop over HTTP/1.1 keep-alive connections. 20 % of the debits are
 * sized near the customer's remaining capacity as last seen (many are refused with 402); 1 % of the answers are
 * followed by a top-up of 1,000 so that the run keeps debiting rather than refusing.
 */
final class DebitLoad {

    static final long START_BALANCE = 5_000;
    static final long DEBT_LIMIT = 500;
    private static final JsonFactory JSON = new JsonFactory();

    /** What the phase did; {@code accepted} is the sum of accepted debits minus accepted top-ups, per customer. */
    record Totals(long ok, long refused, long errors, double seconds, AtomicLongArray accepted) {
        long decided() {
            return ok + refused;
        }
    }

    private final HttpClient client;
    private final int port;
    private final MultiMap headers;
    private final List<String> names;
    private final int seconds;
    private final AtomicLongArray accepted;
    private final AtomicLongArray estimate;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private long end;

    DebitLoad(HttpClient client, int port, String authorization, List<String> names, int seconds) {
        this.client = client;
        this.port = port;
        this.headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", authorization)
                .add("Content-Type", "application/json");
        this.names = names;
        this.seconds = seconds;
        this.accepted = new AtomicLongArray(names.size());
        this.estimate = new AtomicLongArray(names.size());
        for (int i = 0; i < names.size(); i++) {
            estimate.set(i, START_BALANCE);
        }
    }

    Totals run(int clients) throws Exception {
        long started = System.nanoTime();
        end = started + TimeUnit.SECONDS.toNanos(seconds);
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger running = new AtomicInteger(clients);
        for (int c = 0; c < clients; c++) {
            Promise<Void> finished = Promise.promise();
            finished.future().onComplete(x -> {
                if (running.decrementAndGet() == 0) {
                    done.complete(null);
                }
            });
            next(finished);
        }
        done.get(seconds + 120L, TimeUnit.SECONDS);
        return new Totals(ok.get(), refused.get(), errors.get(), (System.nanoTime() - started) / 1e9, accepted);
    }

    private void next(Promise<Void> finished) {
        if (System.nanoTime() >= end) {
            finished.complete();
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int c = random.nextInt(names.size());
        long capacity = estimate.get(c) + DEBT_LIMIT;
        long amount = random.nextDouble() < 0.2
                ? Math.max(1, capacity - 20 + random.nextInt(41))   // near the limit
                : 1 + random.nextInt(60);
        post(names.get(c) + "/debits", amount, "d" + sequence.incrementAndGet()).compose(answer -> {
            if (answer.status == 200) {
                ok.incrementAndGet();
                accepted.addAndGet(c, amount);
                estimate.set(c, answer.balance());
            } else if (answer.status == 402) {
                refused.incrementAndGet();
                estimate.set(c, answer.balance());
            } else {
                errors.incrementAndGet();
            }
            if (random.nextInt(100) != 0) {
                return Future.succeededFuture();
            }
            return post(names.get(c) + "/credits", 1000, "c" + sequence.incrementAndGet()).map(credit -> {
                if (credit.status == 200) {
                    accepted.addAndGet(c, -1000);
                }
                return null;
            });
        }).onComplete(x -> {
            if (x.failed()) {
                errors.incrementAndGet();
            }
            next(finished);
        });
    }

    private record Answer(int status, Buffer body) {
        /** The answer's top-level {@code balance} (a 200's and a 402's), read by streaming past the other fields. */
        long balance() {
            try (JsonParser parser = JSON.createParser(body.getBytes())) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    throw new IllegalStateException("not a JSON object: " + body);
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    parser.nextToken();
                    if (field.equals("balance")) {
                        return parser.getLongValue();
                    }
                    parser.skipChildren();
                }
                throw new IllegalStateException("no balance in " + body);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** POSTs {@code {amount, idempotencyKey, reason: "bench"}} (the key is ASCII letters and digits: no escaping). */
    private Future<Answer> post(String path, long amount, String idempotencyKey) {
        Buffer json = Buffer.buffer("{\"amount\":" + amount + ",\"idempotencyKey\":\"" + idempotencyKey
                + "\",\"reason\":\"bench\"}");
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                .setURI("/v1/balances/" + path).setHeaders(headers).setTimeout(30_000);
        return client.request(options).compose(request -> request.send(json))
                .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b)));
    }
}
