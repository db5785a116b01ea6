package io.meterline.billing.security;

import io.meterline.billing.problem.BillingException;
import io.meterline.billing.problem.ErrorCode;
import io.meterline.model.api.CommonProblem;
import io.meterline.model.security.CustomersClaim;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which customers the caller's token may act on: {@code admin} every customer; a token with a {@code customers}
 * claim only those; otherwise every customer if it has the role the operation needs ({@code usage:read} to read,
 * {@code balance:write} to move balances).
 */
@RequestScoped
public class CustomerScope {

    public static final String CUSTOMERS_CLAIM = "customers";

    /** Why a customer is out of reach. */
    public enum Denial {
        NONE, OTHER_CUSTOMER, MISSING_ROLE
    }

    private final SecurityIdentity identity;
    private final JsonWebToken jwt;

    public CustomerScope(SecurityIdentity identity, JsonWebToken jwt) {
        this.identity = identity;
        this.jwt = jwt;
    }

    /** Whether the token may use {@code customer} for an operation needing {@code role} (admin always may). */
    public Denial check(String customer, String role) {
        return check(identity, jwt, customer, role);
    }

    /** As {@link #check(String, String)}, for callers outside a CDI request (plain Vert.x routes). */
    public static Denial check(SecurityIdentity identity, JsonWebToken jwt, String customer, String role) {
        if (identity.hasRole("admin")) {
            return Denial.NONE;
        }
        return check(identity, claimOf(jwt), customer, role);
    }

    /**
     * The token's {@code customers} claim, read once: one reading for every service (present but malformed or empty
     * = no customer, never all). smallrye-jwt's {@code getClaim} of a non-standard name throws and catches an
     * exception inside (its {@code Claims.valueOf}), so a caller that keeps a token's identity keeps this too.
     */
    public static CustomersClaim claimOf(JsonWebToken jwt) {
        return CustomersClaim.parse(jwt.getClaim(CustomersClaim.NAME));
    }

    /** As {@link #check(SecurityIdentity, JsonWebToken, String, String)}, with the claim already read. */
    public static Denial check(SecurityIdentity identity, CustomersClaim claim, String customer, String role) {
        if (identity.hasRole("admin")) {
            return Denial.NONE;
        }
        if (claim.restricted() && !claim.allows(customer)) {
            return Denial.OTHER_CUSTOMER;
        }
        if (claim.restricted() && role.equals("usage:read")) {
            return Denial.NONE;
        }
        return identity.hasRole(role) ? Denial.NONE : Denial.MISSING_ROLE;
    }

    /**
     * Lets the call through when the token may use {@code customer} for an operation needing {@code role};
     * otherwise throws {@code forbidden_customer} (another customer's data) or {@code forbidden} (the role is
     * missing), the detail naming {@code operation} ("reading usage").
     */
    public void require(String customer, String role, String operation) {
        require(identity, jwt, customer, role, operation);
    }

    /** As {@link #require(String, String, String)}, for callers outside a CDI request (plain Vert.x routes). */
    public static void require(SecurityIdentity identity, JsonWebToken jwt, String customer, String role, String operation) {
        require(identity, jwt, claimOf(jwt), customer, role, operation);
    }

    /** As above, with the token's {@code customers} claim already read ({@link #claimOf}). */
    public static void require(SecurityIdentity identity, JsonWebToken jwt, CustomersClaim claim, String customer,
                               String role, String operation) {
        switch (check(identity, claim, customer, role)) {
            case OTHER_CUSTOMER -> throw new BillingException(ErrorCode.FORBIDDEN_CUSTOMER,
                    "this token may act on " + customers(jwt) + " only, not on " + customer);
            case MISSING_ROLE -> throw new BillingException(CommonProblem.FORBIDDEN,
                    operation + " needs the " + role + " or admin role");
            case NONE -> { }
        }
    }

    /** The {@code customers} claim; empty when the token is not scoped. */
    public Set<String> customers() {
        return customers(jwt);
    }

    private static Set<String> customers(JsonWebToken jwt) {
        Object claim = jwt.getClaim(CUSTOMERS_CLAIM);
        Set<String> customers = new LinkedHashSet<>();
        if (claim instanceof JsonArray array) {
            for (JsonValue value : array) {
                customers.add(value instanceof JsonString text ? text.getString() : value.toString());
            }
        } else if (claim instanceof Collection<?> collection) {
            collection.forEach(value -> customers.add(String.valueOf(value)));
        } else if (claim instanceof JsonString text) {
            customers.add(text.getString());
        } else if (claim instanceof String text) {
            customers.add(text);
        }
        return customers;
    }
}
