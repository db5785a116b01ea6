package io.meterline.billing.balance;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.billing.security.CustomerScope;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Prepaid balances: {@code GET /v1/balances/{customer}}, settings ({@code PUT}), and the history with its recomputed
 * balance. Credits and debits (idempotent by {@code idempotencyKey}) are {@link MovementRoute}'s, a plain Vert.x route
 * (decision 0118). Reading follows {@code /v1/usage}'s token
 * rules; changing needs {@code admin} or {@code balance:write} (limited to the token's {@code customers}, if any).
 */
@Path("/v1/balances/{customer}")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class BalanceResource {

    static final String WRITE_ROLE = BalanceRequests.WRITE_ROLE;
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
        JsonNode json = BalanceRequests.parse(body);
        Long debtLimit = BalanceRequests.optionalAmount(json, "debtLimit", 0);
        Long threshold = json.has("rechargeThreshold") && !json.get("rechargeThreshold").isNull()
                ? BalanceRequests.signedAmount(json.get("rechargeThreshold"), "rechargeThreshold") : null;
        List<String> modes = null;
        if (json.has("billingModes")) {
            JsonNode node = json.get("billingModes");
            if (!node.isArray() || node.isEmpty()) {
                throw BalanceRequests.invalid("billingModes", "invalid", "billingModes must be a non-empty array of prepaid, stripe_metered");
            }
            modes = new ArrayList<>();
            for (JsonNode mode : node) {
                if (!mode.isTextual() || !MODES.contains(mode.asText())) {
                    throw BalanceRequests.invalid("billingModes", "invalid", "billingModes may contain prepaid and stripe_metered only");
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
                throw BalanceRequests.invalid("autoRecharge", "invalid", "autoRecharge must be an object {amount, stripeCustomer} or null");
            }
            autoRecharge = new BalanceDocument.AutoRecharge();
            autoRecharge.amount = BalanceRequests.amount(node, "autoRecharge.amount", node.get("amount"));
            JsonNode stripeCustomer = node.get("stripeCustomer");
            if (stripeCustomer == null || !stripeCustomer.isTextual() || !stripeCustomer.asText().startsWith("cus_")) {
                throw BalanceRequests.invalid("autoRecharge.stripeCustomer", "invalid", "autoRecharge.stripeCustomer must be a Stripe customer id (cus_…)");
            }
            autoRecharge.stripeCustomer = stripeCustomer.asText();
        }
        BalanceView view = balances.configure(customer, currency(BalanceRequests.text(json, "currency")),
                new BalanceService.Settings(debtLimit, threshold, modes, autoRecharge, clear));
        return BalanceResponse.of(view);
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

    private void authorize(String customer, String role) {
        BalanceRequests.customer(customer);
        scope.require(customer, role, role.equals(WRITE_ROLE) ? "changing balances" : "reading balances");
    }

    private String currency(String requested) {
        return balances.currency(BalanceRequests.currency(requested));
    }
}
