package io.meterline.devstack;

import de.bwaldvogel.mongo.MongoBackend;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * A mongo-java-server backend that outlives its server: {@code MongoServer.shutdownNow()} closes its backend, and
 * closing the memory backend drops every database. Stopping the wire server for an outage must keep the data, as a
 * stopped {@code mongod} keeps its files, so the server gets a view of the backend whose {@code close()} does
 * nothing; {@link #closeForGood()} closes the real one.
 */
final class KeptBackend {

    private final MongoBackend delegate;
    private final MongoBackend view;

    KeptBackend(MongoBackend delegate) {
        this.delegate = delegate;
        // a proxy rather than a hand-written delegate: the interface names netty types this module does not compile against
        this.view = (MongoBackend) Proxy.newProxyInstance(MongoBackend.class.getClassLoader(),
                new Class<?>[] {MongoBackend.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        return null;
                    }
                    try {
                        Object result = method.invoke(delegate, args);
                        return result == delegate ? proxy : result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** What a {@code MongoServer} is given. */
    MongoBackend view() {
        return view;
    }

    void closeForGood() {
        delegate.close();
    }
}
