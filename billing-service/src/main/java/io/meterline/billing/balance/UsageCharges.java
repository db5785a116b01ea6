package io.meterline.billing.balance;

import io.meterline.billing.aggregation.WindowTotal;
import io.meterline.billing.config.BillingConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Draws prepaid balances down as usage windows change. Called by the window writer with each batch of window totals
 * after MongoDB has them and before the totals' offsets are committed, so a crash replays the batch here. For each
 * ungrouped window of a priced meter and a prepaid customer, a new window version becomes exactly one debit of the
 * cost difference: claimed first in {@code usage_charges} (compare-and-set), then applied with the key
 * {@code usage:<window>:<version>}, then the claim is removed. Replays, restarts and a second instance meet the claim
 * or the key and debit nothing twice; see docs/decisions/0111.
 */
@ApplicationScoped
public class UsageCharges {

    private final BalanceService balances;
    private final BalanceRepository repository;
    private final EntitlementCache cache;
    private final BillingConfig config;

    public UsageCharges(BalanceService balances, BalanceRepository repository, EntitlementCache cache,
            BillingConfig config) {
        this.balances = balances;
        this.repository = repository;
        this.cache = cache;
        this.config = config;
    }

    /** Charges the prepaid windows among {@code totals} (at most one total per window); returns debits applied. */
    public int charge(Collection<WindowTotal> totals) {
        if (config.balance().unitPrices().isEmpty()) {
            return 0;
        }
        int debits = 0;
        for (WindowTotal total : totals) {
            BigDecimal price = config.balance().unitPrices().get(total.meter());
            if (price == null || !total.groupKey().isEmpty()) {
                continue;
            }
            String currency = config.balance().currency();
            BalanceView view = cache.get(BalanceDocument.idOf(total.subject(), currency));
            if (view == null || !view.prepaid()) {
                continue;
            }
            debits += charge(total, UsagePricing.cost(total.value(), price), BalanceDocument.idOf(total.subject(), currency));
        }
        return debits;
    }

    private int charge(WindowTotal total, long cost, String account) {
        UsageChargeDocument claimed = claim(total, cost, account);
        if (claimed == null) {
            return 0;
        }
        int applied = 0;
        for (UsageChargeDocument.Claim claim : List.copyOf(claimed.unapplied)) {
            if (claim.amount != 0) {
                balances.move(total.subject(), config.balance().currency(), new BalanceService.Movement(
                        BalanceService.Kind.USAGE, claim.amount, "usage:" + total.id() + ":" + claim.version,
                        "usage " + total.meter(), total.id()));
                applied++;
            }
        }
        removeClaims(total.id(), claimed.unapplied);
        return applied;
    }

    /** Records the window's new version and its debit; returns the charge document with every unapplied claim. */
    private UsageChargeDocument claim(WindowTotal total, long cost, String account) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            UsageChargeDocument current = repository.charge(total.id());
            if (current == null) {
                UsageChargeDocument created = new UsageChargeDocument();
                created.id = total.id();
                created.account = account;
                created.meter = total.meter();
                created.version = total.version();
                created.cost = cost;
                created.rev = 1;
                created.unapplied = new ArrayList<>(List.of(claimOf(total.version(), cost)));
                if (repository.insertCharge(created)) {
                    balances.halt("usage-claimed");
                    return created;
                }
                continue;
            }
            if (current.version >= total.version()) {
                // already claimed (a replay): finish whatever a crash left unapplied
                return current.unapplied.isEmpty() ? null : current;
            }
            long expected = current.rev;
            current.unapplied = new ArrayList<>(current.unapplied);
            current.unapplied.add(claimOf(total.version(), cost - current.cost));
            current.version = total.version();
            current.cost = cost;
            current.rev = expected + 1;
            if (repository.replaceCharge(current, expected)) {
                balances.halt("usage-claimed");
                return current;
            }
        }
        throw new IllegalStateException("usage charge of " + total.id() + " kept changing");
    }

    private void removeClaims(String windowId, List<UsageChargeDocument.Claim> applied) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            UsageChargeDocument current = repository.charge(windowId);
            if (current == null) {
                return;
            }
            long expected = current.rev;
            int before = current.unapplied.size();
            current.unapplied = new ArrayList<>(current.unapplied);
            current.unapplied.removeIf(c -> applied.stream().anyMatch(a -> a.version == c.version));
            if (current.unapplied.size() == before) {
                return;
            }
            current.rev = expected + 1;
            if (repository.replaceCharge(current, expected)) {
                return;
            }
        }
    }

    private static UsageChargeDocument.Claim claimOf(long version, long amount) {
        UsageChargeDocument.Claim claim = new UsageChargeDocument.Claim();
        claim.version = version;
        claim.amount = amount;
        return claim;
    }
}
