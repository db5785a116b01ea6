package io.meterline.webhook.service;

import jdk.jfr.Category;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One processing round (JFR event {@code io.meterline.webhook.ProcessingRound}, off unless a recording enables it):
 * its size and its span, claim to completion (docs/decisions/0153).
 */
@Name("io.meterline.webhook.ProcessingRound")
@Label("Processing round")
@Category({"Meterline", "Webhook"})
@Enabled(false)
@StackTrace(false)
class ProcessingRoundEvent extends Event {

    @Label("Events triggered")
    int triggered;

    @Label("Events claimed")
    int claimed;
}
