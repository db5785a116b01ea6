package io.meterline.billing.meter;

import io.meterline.billing.stripe.StripeCallException;
import io.meterline.billing.stripe.StripeCatalog;
import io.meterline.model.usage.MeterDefinition;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks meters against their Stripe billing meters ({@link StripeMeterRules}) when declared or changed, at
 * start-up and periodically, and before every report run; keeps the latest result per meter for reporting,
 * readiness and {@code GET /v1/meters}.
 */
@ApplicationScoped
public class MeterCheckService {

    private static final Logger LOG = Logger.getLogger(MeterCheckService.class);

    private final StripeCatalog stripe;
    private final AtomicInteger mismatchedGauge = new AtomicInteger();
    private volatile Map<String, MeterCheck> results = Map.of();

    public MeterCheckService(StripeCatalog stripe, MeterRegistry registry) {
        this.stripe = stripe;
        registry.gauge("meterline.meters.stripe.mismatched", mismatchedGauge);
    }

    /** Checks one meter now (one listing of Stripe's meters); {@code unchecked} without a key or when Stripe fails. */
    public MeterCheck check(MeterDefinition meter) {
        List<StripeCatalog.MeterInfo> stripeMeters;
        try {
            stripeMeters = listStripeMeters();
        } catch (Unchecked e) {
            return e.result;
        }
        return StripeMeterRules.check(meter, stripeMeters, Instant.now());
    }

    /** Keeps a result obtained by {@link #check} for a meter that was saved. */
    public synchronized void remember(String key, MeterCheck check) {
        Map<String, MeterCheck> next = new HashMap<>(results);
        next.put(key, check);
        publish(next);
    }

    /**
     * Checks every meter with one listing of Stripe's meters. When Stripe cannot be asked, the previous results
     * stay (a meter found mismatched stays skipped until a check says otherwise).
     */
    public synchronized Map<String, MeterCheck> checkAll(Collection<MeterDefinition> meters) {
        List<StripeCatalog.MeterInfo> stripeMeters;
        Map<String, MeterCheck> next = new HashMap<>();
        try {
            stripeMeters = listStripeMeters();
        } catch (Unchecked e) {
            for (MeterDefinition meter : meters) {
                MeterCheck previous = results.get(meter.key());
                next.put(meter.key(), previous != null && previous.mismatched() ? previous : e.result);
            }
            publish(next);
            return next;
        }
        Instant now = Instant.now();
        for (MeterDefinition meter : meters) {
            MeterCheck check = StripeMeterRules.check(meter, stripeMeters, now);
            MeterCheck previous = results.get(meter.key());
            if (check.mismatched() && (previous == null || !previous.mismatched())) {
                LOG.warnf("meter %s does not match its Stripe meter and is not reported: %s", meter.key(), check.explanation());
            }
            next.put(meter.key(), check);
        }
        publish(next);
        return next;
    }

    /** The latest result for a meter, or null when it was never checked. */
    public MeterCheck result(String key) {
        return results.get(key);
    }

    /** Keys of meters whose last check found a mismatch. */
    public Set<String> mismatched() {
        Set<String> keys = new TreeSet<>();
        results.forEach((key, check) -> {
            if (check.mismatched()) {
                keys.add(key);
            }
        });
        return keys;
    }

    public Map<String, MeterCheck> results() {
        return results;
    }

    private void publish(Map<String, MeterCheck> next) {
        results = Map.copyOf(next);
        mismatchedGauge.set((int) next.values().stream().filter(MeterCheck::mismatched).count());
    }

    private List<StripeCatalog.MeterInfo> listStripeMeters() throws Unchecked {
        if (!stripe.live()) {
            throw new Unchecked(new MeterCheck(MeterCheck.UNCHECKED, null, List.of(),
                    "no Stripe key: reporting runs dry and meters are not checked against Stripe", Instant.now()));
        }
        try {
            return stripe.meters();
        } catch (StripeCallException e) {
            LOG.warnf("could not list Stripe meters to check meters: %s", e.getMessage());
            throw new Unchecked(new MeterCheck(MeterCheck.UNCHECKED, null, List.of(),
                    "Stripe could not be asked (" + e.getMessage() + "); checked again at the next run", Instant.now()));
        }
    }

    /** Stripe could not be asked: carries the {@code unchecked} result. */
    private static final class Unchecked extends Exception {
        final transient MeterCheck result;

        Unchecked(MeterCheck result) {
            super(result.fix(), null, false, false);
            this.result = result;
        }
    }
}
