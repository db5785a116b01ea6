package io.meterline.billing.balance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.billing.security.CustomerScope;
import io.meterline.model.UsageEventJson;
import io.meterline.model.Violation;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Prepaid balances: {@code GET /v1/balances/{customer}}, settings ({@code PUT}), credits and debits (idempotent by
 * {@code idempotencyKey}), and the history with its recomputed balance. Reading follows {@code /v1/usage}'s token
 * rules; changing needs {@code admin} or {@code balance:write} (limited to the token's {@code customers}, if any).
 */
@Path("/v1/balances/{customer}")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class BalanceResource {

    static final String WRITE_ROLE = "balance:write";
    private static final Pattern CURRENCY = Pattern.compile("[a-zA-Z]{3}");
    private static final long MAX_AMOUNT = 1_000_000_000_000L;
    private static final Set<String> MODES = Set.of("prepaid", "stripe_metered");

    private final BalanceService balances;
    private final CustomerScope scope;

    public BalanceResource(BalanceService balances, CustomerScope scope) {
        this.balances = balances;
        this.scope = scope;
    }

    @GET
    public BalanceResponse get(@PathParam("customer") String customer, @QueryParam("currency") String currency) {
        authorize(customer, "usage:read");
        BalanceView view = balances.find(customer, currency(currency));
        if (view == null) {
            throw new BillingException(ErrorCode.BALANCE_NOT_FOUND, "no " + currency(currency) + " balance for " + customer);
        }
        return BalanceResponse.of(view);
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    public BalanceResponse configure(@PathParam("customer") String customer, String body) {
        authorize(customer, WRITE_ROLE);
        JsonNode json = parse(body);
        Long debtLimit = optionalAmount(json, "debtLimit", 0);
        Long threshold = json.has("rechargeThreshold") && !json.get("rechargeThreshold").isNull()
                ? signedAmount(json.get("rechargeThreshold"), "rechargeThreshold") : null;
        List<String> modes = null;
        if (json.has("billingModes")) {
            JsonNode node = json.get("billingModes");
            if (!node.isArray() || node.isEmpty()) {
                throw invalid("billingModes", "invalid", "billingModes must be a non-empty array of prepaid, stripe_metered");
            }
            modes = new ArrayList<>();
            for (JsonNode mode : node) {
                if (!mode.isTextual() || !MODES.contains(mode.asText())) {
                    throw invalid("billingModes", "invalid", "billingModes may contain prepaid and stripe_metered only");
                }
                if (!modes.contains(mode.asText())) {
                    modes.add(mode.asText());
                }
            }
        }
        BalanceDocument.AutoRecharge autoRecharge = null;
        boolean clear = json.has("autoRecharge") && json.get("autoRecharge").isNull();
        if (json.has("autoRecharge") && !clear) {
            JsonNode node = json.get("autoRecharge");
            if (!node.isObject()) {
                throw invalid("autoRecharge", "invalid", "autoRecharge must be an object {amount, stripeCustomer} or null");
            }
            autoRecharge = new BalanceDocument.AutoRecharge();
            autoRecharge.amount = amount(node, "autoRecharge.amount", node.get("amount"));
            JsonNode stripeCustomer = node.get("stripeCustomer");
            if (stripeCustomer == null || !stripeCustomer.isTextual() || !stripeCustomer.asText().startsWith("cus_")) {
                throw invalid("autoRecharge.stripeCustomer", "invalid", "autoRecharge.stripeCustomer must be a Stripe customer id (cus_…)");
            }
            autoRecharge.stripeCustomer = stripeCustomer.asText();
        }
        BalanceView view = balances.configure(customer, currency(text(json, "currency")),
                new BalanceService.Settings(debtLimit, threshold, modes, autoRecharge, clear));
        return BalanceResponse.of(view);
    }

    @POST
    @Path("/credits")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response credit(@PathParam("customer") String customer, String body) {
        return move(customer, body, BalanceService.Kind.CREDIT);
    }

    @POST
    @Path("/debits")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response debit(@PathParam("customer") String customer, String body) {
        return move(customer, body, BalanceService.Kind.DEBIT);
    }

    @GET
    @Path("/transactions")
    public HistoryResponse history(@PathParam("customer") String customer, @QueryParam("currency") String currency) {
        authorize(customer, "usage:read");
        BalanceView view = balances.find(customer, currency(currency));
        if (view == null) {
            throw new BillingException(ErrorCode.BALANCE_NOT_FOUND, "no " + currency(currency) + " balance for " + customer);
        }
        List<MovementDocument> history = balances.history(customer, currency(currency));
        long recomputed = 0;
        long unsettled = 0;
        List<MovementResponse> items = new ArrayList<>(history.size());
        for (MovementDocument movement : history) {
            recomputed += movement.delta;
            unsettled += movement.unsettledDelta;
            items.add(MovementResponse.of(movement, false));
        }
        BalanceView after = balances.find(customer, currency(currency));
        return new HistoryResponse(customer, after.currency(), after.balance(), recomputed, after.unsettled(), unsettled,
                after.balance() == recomputed && after.unsettled() == unsettled, items);
    }

    private Response move(String customer, String body, BalanceService.Kind kind) {
        authorize(customer, WRITE_ROLE);
        JsonNode json = parse(body);
        long amount = amount(json, "amount", json.get("amount"));
        String key = text(json, "idempotencyKey");
        if (key == null || key.isBlank() || key.length() > 200) {
            throw invalid("idempotencyKey", key == null ? "missing" : "invalid", "idempotencyKey is required (1–200 characters)");
        }
        String reason = text(json, "reason");
        if (reason == null || reason.isBlank() || reason.length() > 200) {
            throw invalid("reason", reason == null ? "missing" : "invalid", "reason is required (1–200 characters)");
        }
        String reference = text(json, "reference");
        if (reference != null && reference.length() > 200) {
            throw invalid("reference", "invalid", "reference may have at most 200 characters");
        }
        BalanceService.Result result = balances.move(customer, currency(text(json, "currency")),
                new BalanceService.Movement(kind, amount, "api:" + key, reason, reference));
        Response.ResponseBuilder answer = Response.ok(MovementResponse.of(result.movement(), result.replayed()));
        if (result.replayed()) {
            answer.header("Idempotent-Replayed", "true");
        }
        return answer.build();
    }

    private void authorize(String customer, String role) {
        if (customer == null || customer.isBlank() || customer.length() > 200) {
            throw invalid("customer", "invalid", "customer must have 1–200 characters");
        }
        scope.require(customer, role, role.equals(WRITE_ROLE) ? "changing balances" : "reading balances");
    }

    private String currency(String requested) {
        if (requested != null && !CURRENCY.matcher(requested).matches()) {
            throw invalid("currency", "invalid", "currency must be a three-letter ISO 4217 code such as usd");
        }
        return balances.currency(requested);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            throw invalid("body", "missing", "a JSON object is required");
        }
        try {
            JsonNode json = UsageEventJson.mapper().readTree(body);
            if (json == null || !json.isObject()) {
                throw invalid("body", "invalid", "the body must be a JSON object");
            }
            return json;
        } catch (IOException e) {
            throw invalid("body", "not_json", "the body is not valid JSON");
        }
    }

    private static long amount(JsonNode json, String field, JsonNode node) {
        if (node == null || node.isNull()) {
            throw invalid(field, "missing", field + " is required (a positive whole number of minor units)");
        }
        if (node.getNodeType() != JsonNodeType.NUMBER || !node.canConvertToExactIntegral() || node.asLong() < 1
                || node.asLong() > MAX_AMOUNT || !node.canConvertToLong()) {
            throw invalid(field, "invalid", field + " must be a whole number of minor units between 1 and " + MAX_AMOUNT);
        }
        return node.asLong();
    }

    private static Long optionalAmount(JsonNode json, String field, long min) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.getNodeType() != JsonNodeType.NUMBER || !node.canConvertToExactIntegral() || !node.canConvertToLong()
                || node.asLong() < min || node.asLong() > MAX_AMOUNT) {
            throw invalid(field, "invalid", field + " must be a whole number of minor units between " + min + " and " + MAX_AMOUNT);
        }
        return node.asLong();
    }

    private static long signedAmount(JsonNode node, String field) {
        if (node.getNodeType() != JsonNodeType.NUMBER || !node.canConvertToExactIntegral() || !node.canConvertToLong()
                || Math.abs(node.asLong()) > MAX_AMOUNT) {
            throw invalid(field, "invalid", field + " must be a whole number of minor units");
        }
        return node.asLong();
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw invalid(field, "invalid", field + " must be a string");
        }
        return node.asText();
    }

    private static BillingException invalid(String field, String reason, String message) {
        return new BillingException(ErrorCode.INVALID_PARAMETER, message, List.of(new Violation(field, reason, message)));
    }
}
