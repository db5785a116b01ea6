package io.meterline.webhook.service;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * One group-commit write of the intake (JFR event {@code io.meterline.webhook.IntakeBatch}, off unless a recording
 * enables it): from the moment its write was started to the store's answer, with how long its oldest delivery had
 * waited for the write to start. Diagnoses the acknowledgement tail (docs/decisions/0153).
 */
@Name("io.meterline.webhook.IntakeBatch")
@Label("Intake batch")
@Category({"Meterline", "Webhook"})
@Enabled(false)
@StackTrace(false)
class IntakeBatchEvent extends Event {

    @Label("Deliveries")
    int deliveries;

    @Label("Oldest waited")
    @Description("from the oldest member's arrival to the start of its write")
    @Timespan(Timespan.NANOSECONDS)
    long oldestWaited;

    @Label("Succeeded")
    boolean succeeded;
}
