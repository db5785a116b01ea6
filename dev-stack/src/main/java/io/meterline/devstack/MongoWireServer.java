package io.meterline.devstack;

import de.bwaldvogel.mongo.MongoBackend;
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

    private final MongoServer server;
    private final InetSocketAddress address;

    private MongoWireServer(MongoServer server, InetSocketAddress address) {
        this.server = server;
        this.address = address;
    }

    /** Port 0 = any free port; {@code file} null = in memory. */
    public static MongoWireServer start(int port, Path file) {
        quietServerLogs();
        MongoBackend backend = file == null ? new MemoryBackend() : new H2Backend(file.toString());
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);
        InetSocketAddress address = server.getLocalAddress();
        return new MongoWireServer(server, address);
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
    public void close() {
        server.shutdownNow();
    }
}
