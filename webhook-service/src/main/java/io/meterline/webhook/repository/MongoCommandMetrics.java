package io.meterline.webhook.repository;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import jdk.jfr.EventType;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the Mongo commands (round trips) the service sends, by command name: {@code webhook_mongo_commands_total
 * {command}} and {@code webhook_mongo_commands_failed_total}. Round trips per delivery is what bounds intake on a
 * server that serialises each collection's operations (docs/decisions/0150), so it is measured, not estimated.
 * Quarkus registers every {@link CommandListener} bean with both Mongo clients. While a JFR recording enables
 * {@link MongoCommandEvent}, each command is also recorded with its duration (docs/decisions/0153).
 */
@ApplicationScoped
public class MongoCommandMetrics implements CommandListener {

    private final MeterRegistry registry;
    private final Map<String, Counter> started = new ConcurrentHashMap<>();
    private final Counter failed;
    private final EventType jfrType = EventType.getEventType(MongoCommandEvent.class);
    /** Commands under way while the JFR event is enabled, by request id (answered on another thread). */
    private final Map<Integer, MongoCommandEvent> underWay = new ConcurrentHashMap<>();

    public MongoCommandMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.failed = registry.counter("webhook.mongo.commands.failed");
    }

    @Override
    public void commandStarted(CommandStartedEvent event) {
        started.computeIfAbsent(event.getCommandName(), name -> registry.counter("webhook.mongo.commands", "command", name))
                .increment();
        if (jfrType.isEnabled()) {
            MongoCommandEvent jfr = new MongoCommandEvent();
            jfr.command = event.getCommandName();
            BsonDocument command = event.getCommand();
            BsonValue collection = command.get(event.getCommandName());
            jfr.collection = collection != null && collection.isString() ? collection.asString().getValue() : "";
            jfr.documents = statements(command);
            jfr.begin();
            underWay.put(event.getRequestId(), jfr);
        }
    }

    @Override
    public void commandSucceeded(CommandSucceededEvent event) {
        commit(event.getRequestId(), true);
    }

    @Override
    public void commandFailed(CommandFailedEvent event) {
        failed.increment();
        commit(event.getRequestId(), false);
    }

    private void commit(int requestId, boolean succeeded) {
        MongoCommandEvent jfr = underWay.isEmpty() ? null : underWay.remove(requestId);
        if (jfr != null) {
            jfr.succeeded = succeeded;
            jfr.commit();
        }
    }

    private static int statements(BsonDocument command) {
        for (String field : new String[] {"documents", "updates", "deletes"}) {
            BsonValue value = command.get(field);
            if (value instanceof BsonArray array) {
                return array.size();
            }
        }
        return 0;
    }
}
