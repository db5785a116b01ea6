package io.meterline.webhook.repository;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the Mongo commands (round trips) the service sends, by command name: {@code webhook_mongo_commands_total
 * {command}} and {@code webhook_mongo_commands_failed_total}. Round trips per delivery is what bounds intake on a
 * server that serialises each collection's operations (docs/decisions/0150), so it is measured, not estimated.
 * Quarkus registers every {@link CommandListener} bean with both Mongo clients.
 */
@ApplicationScoped
public class MongoCommandMetrics implements CommandListener {

    private final MeterRegistry registry;
    private final Map<String, Counter> started = new ConcurrentHashMap<>();
    private final Counter failed;

    public MongoCommandMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.failed = registry.counter("webhook.mongo.commands.failed");
    }

    @Override
    public void commandStarted(CommandStartedEvent event) {
        started.computeIfAbsent(event.getCommandName(), name -> registry.counter("webhook.mongo.commands", "command", name))
                .increment();
    }

    @Override
    public void commandFailed(CommandFailedEvent event) {
        failed.increment();
    }
}
