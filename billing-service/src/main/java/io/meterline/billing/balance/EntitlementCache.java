package io.meterline.billing.balance;

import io.meterline.billing.config.BillingConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every balance in memory, for answers that must not wait for MongoDB (entitlements, "is this customer prepaid?" per
 * window total). This instance's own writes apply at once; everything is re-read every
 * {@code billing.balance.cache-refresh} (default 0.5 s), so changes made by another instance are seen within about
 * that. A newer version never gives way to an older one.
 */
@Startup
@ApplicationScoped
public class EntitlementCache {

    private static final Logger LOG = Logger.getLogger(EntitlementCache.class);

    private final BalanceRepository repository;
    private final BillingConfig config;
    private final Map<String, BalanceView> byAccount = new ConcurrentHashMap<>();
    private volatile long refreshedAt;
    private volatile boolean running;
    private Thread refresher;

    public EntitlementCache(BalanceRepository repository, BillingConfig config) {
        this.repository = repository;
        this.config = config;
        refresh();
    }

    // a thread of its own: Quarkus' scheduler runs every() no more often than once a second
    void onStart(@Observes StartupEvent event) {
        running = true;
        refresher = new Thread(this::refreshLoop, "entitlement-cache-refresh");
        refresher.setDaemon(true);
        refresher.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (refresher != null) {
            refresher.interrupt();
        }
    }

    private void refreshLoop() {
        long interval = config.balance().cacheRefresh().toMillis();
        while (running) {
            try {
                Thread.sleep(interval);
                refresh();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("re-reading balances for the entitlement cache failed: %s", e.toString());
            }
        }
    }

    void refresh() {
        for (BalanceDocument document : repository.scan()) {
            update(document, BalanceView.of(document, config.balance()));
        }
        refreshedAt = System.currentTimeMillis();
    }

    public void update(BalanceDocument document, BalanceView view) {
        byAccount.merge(document.id, view, (old, fresh) -> fresh.version() >= old.version() ? fresh : old);
    }

    public BalanceView get(String account) {
        return byAccount.get(account);
    }

    public Collection<BalanceView> all() {
        return byAccount.values();
    }

    /** When the cache last re-read every balance (epoch millis). */
    public long refreshedAt() {
        return refreshedAt;
    }
}
