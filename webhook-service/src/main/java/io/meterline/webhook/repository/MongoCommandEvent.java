package io.meterline.webhook.repository;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One Mongo command as this service saw it, from the driver's start to its answer (JFR event
 * {@code io.meterline.webhook.MongoCommand}; off unless a recording enables it, e.g. {@code -XX:StartFlightRecording}
 * with {@code +io.meterline.webhook.MongoCommand#enabled=true}). Lined up with the intake's answers it shows what an
 * acknowledgement waited behind on the store: which command, on which collection, from which thread, how long.
 */
@Name("io.meterline.webhook.MongoCommand")
@Label("Mongo command")
@Category({"Meterline", "Webhook"})
@Description("A Mongo command from its start to its answer")
@Enabled(false)
@StackTrace(false)
class MongoCommandEvent extends Event {

    @Label("Command")
    String command;

    @Label("Collection")
    String collection;

    @Label("Documents")
    @Description("inserted documents, update or delete statements; 0 for other commands")
    int documents;

    @Label("Succeeded")
    boolean succeeded;
}
