package io.meterline.devstack;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * An embedded MongoDB wire-protocol server (mongo-java-server): in memory by default, or backed by an H2 file.
 * It has no transactions, no TTL and no non-unique secondary indexes; Meterline never relies on them.
 */
public final class MongoWireServer implements AutoCloseable {

    private final KeptBackend backend;
    private final InetSocketAddress address;
    private MongoServer server;

    private MongoWireServer(KeptBackend backend, MongoServer server, InetSocketAddress address) {
        this.backend = backend;
        this.server = server;
        this.address = address;
    }

    /** Port 0 = any free port; {@code file} null = in memory. */
    public static MongoWireServer start(int port, Path file) {
        quietServerLogs();
        KeptBackend backend = new KeptBackend(file == null ? new MemoryBackend() : new H2Backend(file.toString()));
        MongoServer server = new MongoServer(backend.view());
        server.bind("127.0.0.1", port);
        InetSocketAddress address = server.getLocalAddress();
        return new MongoWireServer(backend, server, address);
    }

    /**
     * An outage: the listener and every client connection close, so clients see a dead server; the data stays
     * (the backend, in memory or H2, is kept for {@link #restart()}). Used by {@code ./meterline chaos}.
     */
    public synchronized void stop() {
        if (server != null) {
            server.shutdownNow();
            server = null;
        }
    }

    /** Listens again after {@link #stop()}, on the same port and with the same data. */
    public synchronized void restart() {
        if (server == null) {
            MongoServer restarted = new MongoServer(backend.view());
            restarted.bind(address);
            server = restarted;
        }
    }

    public synchronized boolean running() {
        return server != null;
    }

    /**
     * Outside Quarkus (the dev-stack process) nothing configures jboss-logmanager, slf4j's binding here, so every
     * level is enabled and mongo-java-server renders each wire message, documents included, as JSON for debug
     * lines nobody sees: under load that took most of the server's CPU. Inside Quarkus (tests) INFO is the
     * default anyway.
     */
    private static void quietServerLogs() {
        org.jboss.logmanager.LogContext.getLogContext().getLogger("de.bwaldvogel").setLevel(java.util.logging.Level.INFO);
    }

    public String connectionString() {
        return "mongodb://127.0.0.1:" + address.getPort();
    }

    public int port() {
        return address.getPort();
    }

    @Override
    public synchronized void close() {
        stop();
        backend.closeForGood();
    }
}
