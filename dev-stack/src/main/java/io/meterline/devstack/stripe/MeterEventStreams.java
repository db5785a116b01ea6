package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import static io.meterline.devstack.stripe.StripeStore.DAY;
import static io.meterline.devstack.stripe.StripeStore.NODES;

/**
 * Stripe's v2 meter event streams: {@code POST /v2/billing/meter_event_session} (API base, secret key) hands out a
 * short-lived {@code authentication_token}; {@code POST /v2/billing/meter_event_stream} (the meter events base,
 * {@code Bearer} token, JSON body {@code {events:[…]}}, at most 100) answers {@code {}} at once and validates later.
 * Valid events join the same log the v1 endpoint feeds (so summaries count both); an identifier seen before is
 * ignored, valid or not; invalid events (no active meter, unknown customer, value not a whole number, timestamp out
 * of range) are reported after {@link #errorReportDelay} as thin events
 * ({@code v1.billing.meter.error_report_triggered}, {@code v1.billing.meter.no_meter_found}), signed and sent to
 * the webhook endpoints; their full form is at {@code GET /v2/core/events/{id}}.
 */
final class MeterEventStreams {

    static final int MAX_EVENTS = 100;
    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?\\d{1,18}");

    /** One invalid event waiting for its error report. */
    private record Invalid(String meterId, String code, String message, String identifier, String requestId) {
    }

    private final StripeStore store;
    private final BillingMeters meters;
    private final MeterEventLog log;
    private final WebhookSender webhooks;
    private final Map<String, Long> sessions = new ConcurrentHashMap<>();
    /** Identifiers of events found invalid: taken all the same, like Stripe's (a resend with one is ignored). */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final List<Invalid> unreported = new ArrayList<>();
    private final Map<String, ObjectNode> events = new ConcurrentHashMap<>();
    private volatile Duration sessionTtl = Duration.ofMinutes(15);
    private volatile Duration errorReportDelay = Duration.ofMillis(200);
    private boolean flushScheduled;

    MeterEventStreams(StripeStore store, BillingMeters meters, MeterEventLog log, WebhookSender webhooks) {
        this.store = store;
        this.meters = meters;
        this.log = log;
        this.webhooks = webhooks;
    }

    void sessionTtl(Duration ttl) {
        this.sessionTtl = ttl;
    }

    void errorReportDelay(Duration delay) {
        this.errorReportDelay = delay;
    }

    void expireAll() {
        long now = System.currentTimeMillis();
        sessions.replaceAll((token, expires) -> Math.min(expires, now));
    }

    /** {@code POST /v2/billing/meter_event_session}. */
    ObjectNode createSession() {
        Instant created = Instant.now();
        Instant expires = created.plus(sessionTtl);
        String token = "mes_tok_test_" + Ids.random(32);
        sessions.put(token, expires.toEpochMilli());
        ObjectNode session = NODES.objectNode();
        session.put("id", "mes_" + Ids.random(24));
        session.put("object", "v2.billing.meter_event_session");
        session.put("authentication_token", token);
        session.put("created", created.toString());
        session.put("expires_at", expires.toString());
        session.put("livemode", false);
        return session;
    }

    /** {@code POST /v2/billing/meter_event_stream}: checks the token and the batch, takes the events, answers {@code {}}. */
    ObjectNode stream(String authorization, byte[] body, String requestId) {
        String token = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7).trim() : null;
        Long expires = token == null ? null : sessions.get(token);
        if (expires == null) {
            throw new StripeError(401, "invalid_request_error", "authentication_failed",
                    "The meter event session token is missing or unknown: create a meter event session "
                            + "(POST /v2/billing/meter_event_session) and send its authentication_token.", null);
        }
        if (expires <= System.currentTimeMillis()) {
            throw new StripeError(401, "temporary_session_expired", "billing_meter_event_session_expired",
                    "The meter event session has expired; create a new meter event session.", null);
        }
        JsonNode request;
        try {
            request = store.mapper().readTree(body);
        } catch (IOException e) {
            throw StripeError.invalid("Request body is not valid JSON.", null);
        }
        JsonNode list = request == null ? null : request.get("events");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw StripeError.missing("events");
        }
        if (list.size() > MAX_EVENTS) {
            throw StripeError.invalid("Too many events: a request takes at most " + MAX_EVENTS + " events, got "
                    + list.size() + ".", "events");
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            for (String field : List.of("event_name", "payload")) {
                if (!e.hasNonNull(field)) {
                    throw StripeError.missing("events[" + i + "]." + field);
                }
            }
        }
        List<Invalid> invalid = new ArrayList<>();
        long now = StripeStore.now();
        synchronized (store.lock()) {
            for (JsonNode e : list) {
                take(e, now, requestId, invalid);
            }
        }
        if (!invalid.isEmpty()) {
            synchronized (unreported) {
                unreported.addAll(invalid);
                if (!flushScheduled) {
                    flushScheduled = true;
                    webhooks.schedule(this::reportErrors, errorReportDelay.toMillis());
                }
            }
        }
        return NODES.objectNode();
    }

    /** Validates one event the way Stripe does later; called under the store's lock (customers are looked up). */
    private void take(JsonNode e, long now, String requestId, List<Invalid> invalid) {
        String eventName = e.get("event_name").asText();
        String identifier = e.hasNonNull("identifier") ? e.get("identifier").asText() : Ids.random(24);
        if (refused.contains(identifier) || log.contains(identifier)) {
            return;
        }
        Map<String, String> payload = new LinkedHashMap<>();
        e.get("payload").fields().forEachRemaining(f -> payload.put(f.getKey(), f.getValue().asText()));
        ObjectNode meter = meters.active(eventName);
        if (meter == null) {
            refuse(invalid, identifier, null, "no_meter", "No active meter was found for event_name '" + eventName + "'.",
                    requestId);
            return;
        }
        String meterId = meter.get("id").asText();
        String customerKey = meter.get("customer_mapping").get("event_payload_key").asText();
        String valueKey = meter.get("value_settings").get("event_payload_key").asText();
        String customer = payload.get(customerKey);
        if (customer == null || customer.isEmpty()) {
            refuse(invalid, identifier, meterId, "meter_event_no_customer_defined",
                    "Event payload has no '" + customerKey + "'.", requestId);
            return;
        }
        if (store.findById(customer) == null) {
            refuse(invalid, identifier, meterId, "meter_event_customer_not_found", "No customer " + customer + ".", requestId);
            return;
        }
        String raw = payload.get(valueKey);
        boolean counting = meter.get("default_aggregation").get("formula").asText().equals("count");
        if ((raw == null || raw.isEmpty()) && !counting) {
            refuse(invalid, identifier, meterId, "meter_event_value_not_found", "Event payload has no '" + valueKey + "'.",
                    requestId);
            return;
        }
        if (raw != null && !raw.isEmpty() && !WHOLE_NUMBER.matcher(raw).matches()) {
            refuse(invalid, identifier, meterId, "meter_event_invalid_value",
                    "Invalid value '" + raw + "': meter event values must be whole numbers.", requestId);
            return;
        }
        long value = raw == null || raw.isEmpty() ? 1 : Long.parseLong(raw);
        long timestamp = now;
        if (e.hasNonNull("timestamp")) {
            try {
                timestamp = Instant.parse(e.get("timestamp").asText()).getEpochSecond();
            } catch (DateTimeParseException ex) {
                timestamp = Long.MIN_VALUE;
            }
        }
        if (timestamp < now - 35 * DAY) {
            refuse(invalid, identifier, meterId, "timestamp_too_far_in_past", "Timestamp is more than 35 days in the past.",
                    requestId);
            return;
        }
        if (timestamp > now + 300) {
            refuse(invalid, identifier, meterId, "timestamp_in_future", "Timestamp is in the future.", requestId);
            return;
        }
        log.add(new MeterEventLog.MeterEvent(identifier, eventName, customer, value, timestamp, now, log.nextSequence(),
                payload));
    }

    private void refuse(List<Invalid> invalid, String identifier, String meterId, String code, String message,
            String requestId) {
        if (refused.add(identifier)) {
            invalid.add(new Invalid(meterId, code, message, identifier, requestId));
        }
    }

    /** One thin event per meter (and one for events without a meter) for everything found invalid since the last. */
    private void reportErrors() {
        List<Invalid> batch;
        synchronized (unreported) {
            batch = new ArrayList<>(unreported);
            unreported.clear();
            flushScheduled = false;
        }
        Map<String, List<Invalid>> byMeter = new LinkedHashMap<>();
        for (Invalid i : batch) {
            byMeter.computeIfAbsent(i.meterId() == null ? "" : i.meterId(), k -> new ArrayList<>()).add(i);
        }
        byMeter.forEach((meterId, errors) -> {
            ObjectNode full = event(meterId.isEmpty() ? null : meterId, errors);
            events.put(full.get("id").asText(), full);
            ObjectNode thin = full.deepCopy();
            thin.remove("data");
            webhooks.send(full.get("id").asText(), full.get("type").asText(), thin.toString());
        });
    }

    private static ObjectNode event(String meterId, List<Invalid> errors) {
        String now = Instant.now().toString();
        ObjectNode event = NODES.objectNode();
        event.put("id", "evt_test_" + Ids.random(24));
        event.put("object", "v2.core.event");
        event.put("type", meterId == null ? "v1.billing.meter.no_meter_found" : "v1.billing.meter.error_report_triggered");
        event.put("livemode", false);
        event.put("created", now);
        if (meterId != null) {
            ObjectNode related = event.putObject("related_object");
            related.put("id", meterId);
            related.put("type", "billing.meter");
            related.put("url", "/v1/billing/meters/" + meterId);
        }
        ObjectNode data = event.putObject("data");
        data.put("developer_message_summary", errors.size() + " meter event(s) could not be processed");
        data.put("validation_start", now);
        data.put("validation_end", now);
        ObjectNode reason = data.putObject("reason");
        reason.put("error_count", errors.size());
        ArrayNode types = reason.putArray("error_types");
        Map<String, List<Invalid>> byCode = new LinkedHashMap<>();
        errors.forEach(i -> byCode.computeIfAbsent(i.code(), k -> new ArrayList<>()).add(i));
        byCode.forEach((code, list) -> {
            ObjectNode type = types.addObject();
            type.put("code", code);
            type.put("error_count", list.size());
            ArrayNode samples = type.putArray("sample_errors");
            // the stand-in lists every event in error; Stripe sends samples (docs/decisions/0141)
            for (Invalid i : list) {
                ObjectNode sample = samples.addObject();
                sample.put("error_message", i.message());
                ObjectNode request = sample.putObject("request");
                request.put("id", i.requestId());
                request.put("identifier", i.identifier());
            }
        });
        return event;
    }

    /** {@code GET /v2/core/events/{id}}: a v2 event with its data. */
    ObjectNode retrieveEvent(String id) {
        ObjectNode event = events.get(id);
        if (event == null) {
            throw StripeError.noSuch("event", id, "id");
        }
        return event;
    }

    void clear() {
        sessions.clear();
        refused.clear();
        events.clear();
        synchronized (unreported) {
            unreported.clear();
        }
    }
}
