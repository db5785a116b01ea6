package io.meterline.devstack.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.meterline.devstack.stripe.StripeStore.NODES;
import static io.meterline.devstack.stripe.StripeStore.now;

/**
 * {@code /v1/payment_intents}: create (optionally with {@code confirm=true}), confirm, retrieve, list; shaped like
 * Stripe's {@code payment_intent} object. Confirmation never falls back to the customer's default payment method
 * (neither does Stripe): {@code payment_method} must be given. Stripe's test payment methods decide the outcome:
 * {@code pm_card_chargeDeclined} (and any {@code pm_card_…Declined…}) fails with a {@code card_error} (402,
 * {@code payment_intent.payment_failed}); every other payment method succeeds ({@code payment_intent.succeeded}).
 */
final class PaymentIntents implements StripeResource {

    private static final Set<String> DECLINING = Set.of("pm_card_chargeDeclined", "pm_card_visa_chargeDeclined",
            "pm_card_chargeDeclinedInsufficientFunds");

    private final StripeStore store;
    private final StripeStore.Table intents;
    private final Customers customers;

    PaymentIntents(StripeStore store, Customers customers) {
        this.store = store;
        this.intents = store.table("payment_intent", "pi_");
        this.customers = customers;
    }

    @Override
    public String path() {
        return "v1/payment_intents";
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

    /** Every PaymentIntent, oldest first (copies). */
    List<JsonNode> all() {
        synchronized (store.lock()) {
            List<JsonNode> out = new ArrayList<>();
            intents.values().forEach(pi -> out.add(pi.deepCopy()));
            return out;
        }
    }

    @Override
    public JsonNode create(Params p, Ctx ctx) {
        Long amount = p.longValue("amount");
        if (amount == null) {
            throw StripeError.missing("amount");
        }
        if (amount < 1) {
            throw StripeError.invalid("amount_too_small", "Amount must be at least 1 minor unit.", "amount");
        }
        String currency = p.required("currency").toLowerCase();
        String customer = p.str("customer");
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
        pi.put("created", now());
        pi.put("currency", currency);
        putOrNull(pi, "customer", customer);
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
        synchronized (store.lock()) {
            if (customer != null) {
                customers.table().get(customer, "customer");
            }
            intents.put(pi);
            store.emit("payment_intent.created", pi, null, ctx);
        }
        return confirm ? confirm(id, p, ctx) : pi.deepCopy();
    }

    @Override
    public JsonNode retrieve(String id, Params p, Ctx ctx) {
        synchronized (store.lock()) {
            return intents.get(id, "intent").deepCopy();
        }
    }

    @Override
    public JsonNode list(Params p) {
        String customer = p.str("customer");
        synchronized (store.lock()) {
            return StripeStore.list(intents.newestFirst(), "/v1/payment_intents", p,
                    pi -> customer == null || customer.equals(pi.path("customer").asText()));
        }
    }

    @Override
    public JsonNode action(String method, String id, String action, Params p, Ctx ctx) {
        return method.equals("POST") && action.equals("confirm") ? confirm(id, p, ctx) : null;
    }

    private JsonNode confirm(String id, Params p, Ctx ctx) {
        ObjectNode pi;
        synchronized (store.lock()) {
            pi = intents.get(id, "intent");
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
                store.emit("payment_intent.payment_failed", pi, null, ctx);
            } else {
                pi.putNull("last_payment_error");
                pi.put("status", "succeeded");
                pi.put("amount_received", pi.get("amount").asLong());
                pi.put("latest_charge", "ch_" + Ids.random(24));
                store.emit("payment_intent.succeeded", pi, null, ctx);
            }
            pi = pi.deepCopy();
        }
        if (pi.get("status").asText().equals("succeeded")) {
            return pi;
        }
        JsonNode lastError = pi.get("last_payment_error");
        throw new StripeError(402, "card_error", "card_declined", "Your card was declined.", null)
                .with("decline_code", lastError.get("decline_code"))
                .with("charge", lastError.get("charge"))
                .with("payment_intent", pi)
                .with("payment_method", lastError.get("payment_method"));
    }

    private static void putOrNull(ObjectNode node, String field, String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }
}
