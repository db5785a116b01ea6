package io.meterline.cli.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The debit phase of {@code bench balances}: {@code clients} closed loops, each sending its next debit when the
 * previous one was answered, over its own HTTP/1.1 keep-alive connection, all on one thread with one NIO selector. 20 %
 * of the debits are sized near the customer's remaining capacity as last seen (many are refused with 402); 1 % of the
 * answers are followed by a top-up of 1,000 so that the run keeps debiting rather than refusing.
 *
 * <p>The client is deliberately minimal (it writes each request's bytes and reads the status line, the
 * {@code Content-Length} and the body's {@code balance}): it shares the two cores with what it measures, and a
 * general-purpose client (Vert.x' pool, futures and header maps) cost about 0.3 ms of CPU per debit, as much as a
 * third of billing's own cost. Anything it does not understand (another framing, a closed connection, no answer in
 * 30 s) counts as an error.
 */
final class DebitLoad {

    static final long START_BALANCE = 5_000;
    static final long DEBT_LIMIT = 500;
    private static final JsonFactory JSON = new JsonFactory();
    private static final long ANSWER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

    /** What the phase did; {@code accepted} is the sum of accepted debits minus accepted top-ups, per customer. */
    record Totals(long ok, long refused, long errors, double seconds, AtomicLongArray accepted) {
        long decided() {
            return ok + refused;
        }
    }

    private final int port;
    private final String headers;
    private final List<String> names;
    private final int seconds;
    private final AtomicLongArray accepted;
    private final long[] estimate;
    private long ok;
    private long refused;
    private long errors;
    private long sequence;
    private long end;

    DebitLoad(int port, String authorization, List<String> names, int seconds) {
        this.port = port;
        this.headers = "Host: 127.0.0.1:" + port + "\r\nAuthorization: " + authorization
                + "\r\nContent-Type: application/json\r\nContent-Length: ";
        this.names = names;
        this.seconds = seconds;
        this.accepted = new AtomicLongArray(names.size());
        this.estimate = new long[names.size()];
        Arrays.fill(estimate, START_BALANCE);
    }

    Totals run(int clients) throws IOException {
        long started = System.nanoTime();
        end = started + TimeUnit.SECONDS.toNanos(seconds);
        try (Selector selector = Selector.open()) {
            Client[] all = new Client[clients];
            for (int i = 0; i < clients; i++) {
                all[i] = new Client(selector);
                all[i].next();
            }
            int running = clients;
            while (running > 0) {
                selector.select(1_000);
                for (SelectionKey key : selector.selectedKeys()) {
                    Client client = (Client) key.attachment();
                    if (key.isValid() && key.isWritable()) {
                        client.flush();
                    }
                    if (key.isValid() && key.isReadable()) {
                        client.read();
                    }
                }
                selector.selectedKeys().clear();
                running = 0;
                long now = System.nanoTime();
                for (Client client : all) {
                    client.expireIfSilent(now);
                    if (!client.finished) {
                        running++;
                    }
                }
            }
            for (Client client : all) {
                client.close();
            }
        }
        return new Totals(ok, refused, errors, (System.nanoTime() - started) / 1e9, accepted);
    }

    /** One closed-loop client: one connection, one request in flight. */
    private final class Client {
        private final Selector selector;
        private SocketChannel channel;
        private SelectionKey key;
        private ByteBuffer out;
        private byte[] in = new byte[4096];
        private int filled;
        private boolean finished;
        private boolean credit;
        private int customer;
        private long amount;
        private long sentAt;

        Client(Selector selector) throws IOException {
            this.selector = selector;
            connect();
        }

        private void connect() throws IOException {
            channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            key = channel.register(selector, 0, this);
            filled = 0;
        }

        /** The next debit, or finished when the phase is over. */
        void next() throws IOException {
            if (System.nanoTime() >= end) {
                finished = true;
                key.interestOps(0);
                return;
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            customer = random.nextInt(names.size());
            long capacity = estimate[customer] + DEBT_LIMIT;
            amount = random.nextDouble() < 0.2
                    ? Math.max(1, capacity - 20 + random.nextInt(41))   // near the limit
                    : 1 + random.nextInt(60);
            credit = false;
            send("/debits", amount, "d" + ++sequence);
        }

        /** POSTs {@code {amount, idempotencyKey, reason: "bench"}} (the key is ASCII letters and digits: no escaping). */
        private void send(String kind, long value, String idempotencyKey) throws IOException {
            String json = "{\"amount\":" + value + ",\"idempotencyKey\":\"" + idempotencyKey + "\",\"reason\":\"bench\"}";
            String request = "POST /v1/balances/" + names.get(customer) + kind + " HTTP/1.1\r\n" + headers + json.length()
                    + "\r\n\r\n" + json;
            out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
            sentAt = System.nanoTime();
            flush();
        }

        void flush() throws IOException {
            channel.write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        void read() throws IOException {
            if (filled == in.length) {
                in = Arrays.copyOf(in, in.length * 2);
            }
            int read = channel.read(ByteBuffer.wrap(in, filled, in.length - filled));
            if (read < 0) {
                fail(); // the server closed the connection
                return;
            }
            filled += read;
            int headerEnd = indexOf(in, filled, HEADER_END);
            if (headerEnd < 0) {
                return;
            }
            int bodyStart = headerEnd + HEADER_END.length;
            int length = contentLength(bodyStart);
            if (length < 0) {
                fail(); // not framed by Content-Length: this client does not read it
                return;
            }
            if (filled < bodyStart + length) {
                return;
            }
            int status = (in[9] - '0') * 100 + (in[10] - '0') * 10 + (in[11] - '0');
            long balance = status == 200 || status == 402 ? balance(bodyStart, length) : 0;
            filled = 0;
            answered(status, balance);
        }

        private void answered(int status, long balance) throws IOException {
            if (credit) {
                if (status == 200) {
                    accepted.addAndGet(customer, -1000);
                }
                next();
                return;
            }
            if (status == 200) {
                ok++;
                accepted.addAndGet(customer, amount);
                estimate[customer] = balance;
            } else if (status == 402) {
                refused++;
                estimate[customer] = balance;
            } else {
                errors++;
            }
            if (ThreadLocalRandom.current().nextInt(100) != 0) {
                next();
                return;
            }
            credit = true;
            send("/credits", 1000, "c" + ++sequence);
        }

        /** An answer that never came (30 s), or a connection this client cannot use: an error, on a new connection. */
        void expireIfSilent(long now) throws IOException {
            if (!finished && key.interestOps() != 0 && now - sentAt > ANSWER_TIMEOUT_NANOS) {
                fail();
            }
        }

        private void fail() throws IOException {
            errors++;
            close();
            connect();
            next();
        }

        void close() throws IOException {
            key.cancel();
            channel.close();
        }

        /** The header block's {@code Content-Length} (the bytes up to {@code bodyStart}), or -1 without one. */
        private int contentLength(int bodyStart) {
            int at = 0;
            while (at < bodyStart) {
                int lineEnd = indexOf(in, at, bodyStart, (byte) '\n');
                if (lineEnd - at > CONTENT_LENGTH.length && startsWithIgnoreCase(at, CONTENT_LENGTH)) {
                    int value = 0;
                    for (int i = at + CONTENT_LENGTH.length; i < lineEnd; i++) {
                        byte b = in[i];
                        if (b >= '0' && b <= '9') {
                            value = value * 10 + (b - '0');
                        }
                    }
                    return value;
                }
                at = lineEnd + 1;
            }
            return -1;
        }

        private boolean startsWithIgnoreCase(int at, byte[] prefix) {
            for (int i = 0; i < prefix.length; i++) {
                if (Character.toLowerCase(in[at + i]) != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        /** The answer's top-level {@code balance} (a 200's and a 402's), read by streaming past the other fields. */
        private long balance(int offset, int length) {
            try (JsonParser parser = JSON.createParser(in, offset, length)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    throw new IllegalStateException("not a JSON object: " + new String(in, offset, length, StandardCharsets.UTF_8));
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    parser.nextToken();
                    if (field.equals("balance")) {
                        return parser.getLongValue();
                    }
                    parser.skipChildren();
                }
                throw new IllegalStateException("no balance in " + new String(in, offset, length, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static int indexOf(byte[] bytes, int length, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int indexOf(byte[] bytes, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return to;
    }
}
