package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * PaymentIntents at the stand-in: create (optionally with {@code confirm=true}), confirm, retrieve, list. Shaped like
 * Stripe's {@code payment_intent} object (API 2025+). Confirmation never falls back to the customer's default
 * payment method (neither does Stripe): {@code payment_method} must be given. Stripe's test payment methods decide
 * the outcome: {@code pm_card_chargeDeclined} (and any {@code pm_card_…Declined…}) fails with a {@code card_error}
 * (402, {@code payment_intent.payment_failed}); every other payment method succeeds ({@code payment_intent.succeeded}).
 */
final class PaymentIntents {

    /** Sends an event for an object change (the caller holds no lock; the sink serialises). */
    interface EventSink {
        void emit(String type, ObjectNode object, StripeState.Ctx ctx);
    }

    /** Looks a customer up ("No such customer" when absent). */
    interface Customers {
        void require(String id, String param);
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> DECLINING = Set.of("pm_card_chargeDeclined", "pm_card_visa_chargeDeclined",
            "pm_card_chargeDeclinedInsufficientFunds");

    private final Map<String, ObjectNode> intents = new LinkedHashMap<>();
    private final EventSink events;
    private final Customers customers;

    PaymentIntents(EventSink events, Customers customers) {
        this.events = events;
        this.customers = customers;
    }

    /** Routes {@code /v1/payment_intents[/{id}[/confirm]]}. */
    JsonNode handle(String method, String path, String[] s, Params p, StripeState.Ctx ctx) {
        int n = s.length;
        if (n == 2 && method.equals("POST")) {
            return create(p, ctx);
        }
        if (n == 2 && method.equals("GET")) {
            return list(p);
        }
        if (n == 3 && method.equals("GET")) {
            return copy(intent(s[2]));
        }
        if (n == 4 && s[3].equals("confirm") && method.equals("POST")) {
            return confirm(s[2], p, ctx);
        }
        throw new StripeError(404, "invalid_request_error", null,
                "Unrecognized request URL (" + method + ": " + path + ").", null);
    }

    /** Sets {@code invoice_settings.default_payment_method} on a customer being created or updated. */
    static void applyInvoiceSettings(ObjectNode customer, Params p) {
        Params settings = p.params("invoice_settings");
        if (settings == null || !settings.has("default_payment_method")) {
            return;
        }
        ObjectNode target = customer.get("invoice_settings") instanceof ObjectNode o ? o : customer.putObject("invoice_settings");
        String pm = settings.str("default_payment_method");
        if (pm == null) {
            target.putNull("default_payment_method");
        } else {
            target.put("default_payment_method", pm);
        }
    }

    synchronized void clear() {
        intents.clear();
    }

    synchronized List<JsonNode> all() {
        List<JsonNode> out = new ArrayList<>();
        intents.values().forEach(pi -> out.add(pi.deepCopy()));
        return out;
    }

    private JsonNode create(Params p, StripeState.Ctx ctx) {
        long amount = amount(p);
        String currency = p.required("currency").toLowerCase();
        String customer = p.str("customer");
        if (customer != null) {
            customers.require(customer, "customer");
        }
        boolean confirm = Boolean.TRUE.equals(p.bool("confirm"));
        if (p.has("off_session") && !confirm) {
            throw StripeError.invalid("off_session can only be used when confirm=true.", "off_session");
        }
        ObjectNode pi = NODES.objectNode();
        String id = Ids.next("pi_");
        pi.put("id", id);
        pi.put("object", "payment_intent");
        pi.put("amount", amount);
        pi.put("amount_capturable", 0);
        pi.putObject("amount_details").putObject("tip");
        pi.put("amount_received", 0);
        pi.putNull("application");
        pi.putNull("application_fee_amount");
        pi.putNull("automatic_payment_methods");
        pi.putNull("canceled_at");
        pi.putNull("cancellation_reason");
        pi.put("capture_method", "automatic_async");
        pi.put("client_secret", id + "_secret_" + Ids.random(25));
        pi.put("confirmation_method", "automatic");
        pi.put("created", Instant.now().getEpochSecond());
        pi.put("currency", currency);
        if (customer == null) {
            pi.putNull("customer");
        } else {
            pi.put("customer", customer);
        }
        putOrNull(pi, "description", p.str("description"));
        pi.putNull("last_payment_error");
        pi.putNull("latest_charge");
        pi.put("livemode", false);
        ObjectNode metadata = pi.putObject("metadata");
        p.stringMap("metadata").forEach((k, v) -> {
            if (!v.isEmpty()) {
                metadata.put(k, v);
            }
        });
        pi.putNull("next_action");
        pi.putNull("on_behalf_of");
        putOrNull(pi, "payment_method", p.str("payment_method"));
        pi.putNull("payment_method_configuration_details");
        pi.putObject("payment_method_options");
        List<String> types = p.strings("payment_method_types");
        var typeArray = pi.putArray("payment_method_types");
        (types.isEmpty() ? List.of("card") : types).forEach(typeArray::add);
        pi.putNull("processing");
        pi.putNull("receipt_email");
        pi.putNull("review");
        pi.putNull("setup_future_usage");
        pi.putNull("shipping");
        pi.putNull("source");
        pi.putNull("statement_descriptor");
        pi.putNull("statement_descriptor_suffix");
        pi.put("status", p.str("payment_method") == null ? "requires_payment_method" : "requires_confirmation");
        pi.putNull("transfer_data");
        pi.putNull("transfer_group");
        synchronized (this) {
            intents.put(id, pi);
        }
        events.emit("payment_intent.created", pi.deepCopy(), ctx);
        return confirm ? confirm(id, p, ctx) : copy(pi);
    }

    private JsonNode confirm(String id, Params p, StripeState.Ctx ctx) {
        ObjectNode pi;
        synchronized (this) {
            pi = intent(id);
            String status = pi.get("status").asText();
            if (status.equals("succeeded") || status.equals("canceled")) {
                throw new StripeError(400, "invalid_request_error", "payment_intent_unexpected_state",
                        "You cannot confirm this PaymentIntent because it has a status of " + status + ".", null);
            }
            String pm = p.str("payment_method");
            if (pm != null) {
                pi.put("payment_method", pm);
            }
            if (pi.get("payment_method").isNull()) {
                // Stripe does not fall back to the customer's default payment method here
                throw new StripeError(400, "invalid_request_error", "payment_intent_unexpected_state",
                        "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm "
                                + "the PaymentIntent with " + pi.path("customer").asText() + ", specify a payment method "
                                + "attached to this customer along with the customer ID.", "payment_method");
            }
            pm = pi.get("payment_method").asText();
            if (DECLINING.contains(pm) || pm.contains("Declined")) {
                ObjectNode error = NODES.objectNode();
                error.put("charge", "ch_" + Ids.random(24));
                error.put("code", "card_declined");
                error.put("decline_code", pm.contains("Insufficient") ? "insufficient_funds" : "generic_decline");
                error.put("doc_url", "https://stripe.com/docs/error-codes/card-declined");
                error.put("message", "Your card was declined.");
                error.putObject("payment_method").put("id", pm).put("object", "payment_method").put("type", "card");
                error.put("type", "card_error");
                pi.set("last_payment_error", error);
                pi.put("status", "requires_payment_method");
                pi.put("latest_charge", error.get("charge").asText());
            } else {
                pi.putNull("last_payment_error");
                pi.put("status", "succeeded");
                pi.put("amount_received", pi.get("amount").asLong());
                pi.put("latest_charge", "ch_" + Ids.random(24));
            }
            pi = pi.deepCopy();
        }
        if (pi.get("status").asText().equals("succeeded")) {
            events.emit("payment_intent.succeeded", pi.deepCopy(), ctx);
            return pi;
        }
        events.emit("payment_intent.payment_failed", pi.deepCopy(), ctx);
        JsonNode lastError = pi.get("last_payment_error");
        throw new StripeError(402, "card_error", "card_declined", "Your card was declined.", null)
                .with("decline_code", lastError.get("decline_code"))
                .with("charge", lastError.get("charge"))
                .with("payment_intent", pi)
                .with("payment_method", lastError.get("payment_method"));
    }

    private synchronized JsonNode list(Params p) {
        String customer = p.str("customer");
        Predicate<ObjectNode> filter = pi -> customer == null || customer.equals(pi.path("customer").asText());
        List<ObjectNode> newest = new ArrayList<>(intents.values());
        java.util.Collections.reverse(newest);
        ObjectNode list = NODES.objectNode();
        list.put("object", "list");
        var data = list.putArray("data");
        Long limit = p.longValue("limit");
        int max = limit == null ? 10 : limit.intValue();
        int count = 0;
        boolean more = false;
        for (ObjectNode pi : newest) {
            if (!filter.test(pi)) {
                continue;
            }
            if (count == max) {
                more = true;
                break;
            }
            data.add(pi.deepCopy());
            count++;
        }
        list.put("has_more", more);
        list.put("url", "/v1/payment_intents");
        return list;
    }

    private ObjectNode intent(String id) {
        synchronized (this) {
            ObjectNode pi = intents.get(id);
            if (pi == null) {
                throw StripeError.noSuch("payment_intent", id, "intent");
            }
            return pi;
        }
    }

    private synchronized ObjectNode copy(ObjectNode pi) {
        return pi.deepCopy();
    }

    private static long amount(Params p) {
        Long amount = p.longValue("amount");
        if (amount == null) {
            throw StripeError.missing("amount");
        }
        if (amount < 1) {
            throw StripeError.invalid("amount_too_small", "Amount must be at least 1 minor unit.", "amount");
        }
        return amount;
    }

    private static void putOrNull(ObjectNode node, String field, String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }
}
