package io.meterline.billing.balance;

import java.util.ArrayList;
import java.util.List;

/**
 * What a prepaid customer has been charged for one window ({@code usage_charges}, {@code _id} = window id). A new
 * window version is first claimed here (compare-and-set on {@link #rev}): the claim fixes its amount (cost of the
 * new total − cost already claimed) and is then applied as a debit keyed {@code usage:<window>:<version>} and
 * removed. A crash between the two leaves the claim, which the replayed window total applies; the key makes the
 * debit happen once.
 */
public class UsageChargeDocument {

    public static final String COLLECTION = "usage_charges";

    public String id;
    public String account;
    public String meter;
    /** Highest window version claimed. */
    public long version;
    /** Cost of that version's total, minor units. */
    public long cost;
    /** Compare-and-set counter. */
    public long rev;
    /** Claimed debits not yet applied to the balance. */
    public List<Claim> unapplied = new ArrayList<>();

    /** One window version's debit. */
    public static class Claim {
        public long version;
        public long amount;
    }
}
