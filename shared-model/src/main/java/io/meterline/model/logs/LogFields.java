package io.meterline.model.logs;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The context every Meterline service puts on its log lines (MDC keys; in the JSON logs of the {@code prod} profile
 * they appear under {@code mdc}), and the request id header the three services honour and echo. Log queries and
 * dashboards depend on these names: they are a contract like the topic names.
 */
public final class LogFields {

    /** Incoming: the caller's id for the request (kept when well-formed); outgoing: the id the service logged with. */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    /** One HTTP request. */
    public static final String REQUEST_ID = "requestId";
    /** One report run, reconciliation run, usage-source run or period close run. */
    public static final String RUN_ID = "runId";
    /** The subject (billing customer) a line is about. */
    public static final String CUSTOMER = "customer";

    /** Printable ASCII without spaces or quotes, at most 128 characters: safe in a header, a log line and JSON. */
    private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:/+=@-]{1,128}");

    private LogFields() {
    }

    /** The caller's request id when it is safe to log and echo; otherwise a new one. */
    public static String requestId(String incoming) {
        if (incoming != null && ACCEPTED.matcher(incoming).matches()) {
            return incoming;
        }
        return UUID.randomUUID().toString();
    }
}
