package io.meterline.model.security;

import jakarta.json.JsonString;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The one reading of a token's {@code customers} claim, used by every service that scopes by customer. The claim
 * either is absent (the token is not scoped by customer: its roles decide) or is a non-empty array of non-blank
 * strings (the token covers exactly those customers). Any other present value — {@code []}, an object, a number,
 * a bare string, {@code null}, an array holding a non-string or a blank string — scopes the token to nothing:
 * a malformed scope never widens into "every customer".
 */
public final class CustomersClaim {

    /** The claim's name in the JWT. */
    public static final String NAME = "customers";

    private static final CustomersClaim ABSENT = new CustomersClaim(false, Set.of());
    private static final CustomersClaim NOTHING = new CustomersClaim(true, Set.of());

    private final boolean present;
    private final Set<String> customers;

    private CustomersClaim(boolean present, Set<String> customers) {
        this.present = present;
        this.customers = customers;
    }

    /**
     * @param claim the claim as the JWT library returns it ({@code JsonWebToken.getClaim}): null when absent,
     *              otherwise a JSON-P value or a plain Java collection/string
     */
    public static CustomersClaim parse(Object claim) {
        if (claim == null) {
            return ABSENT;
        }
        if (!(claim instanceof Collection<?> values) || values.isEmpty()) {
            return NOTHING;
        }
        Set<String> customers = new LinkedHashSet<>();
        for (Object value : values) {
            String text = value instanceof JsonString json ? json.getString()
                    : value instanceof String plain ? plain : null;
            if (text == null || text.isBlank()) {
                return NOTHING;
            }
            customers.add(text);
        }
        return new CustomersClaim(true, Set.copyOf(customers));
    }

    /** True when the token carries the claim in any shape: it is then scoped to {@link #customers()} only. */
    public boolean restricted() {
        return present;
    }

    /** The customers a restricted token covers; empty for a malformed claim (and meaningless when unrestricted). */
    public Set<String> customers() {
        return customers;
    }

    /** Whether the token may act for {@code customer}: every customer when unrestricted, else only the listed. */
    public boolean allows(String customer) {
        return !present || customers.contains(customer);
    }

    @Override
    public String toString() {
        return !present ? "all customers" : customers.isEmpty() ? "no customer" : "customers " + customers;
    }
}
