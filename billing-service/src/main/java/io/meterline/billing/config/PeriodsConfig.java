package io.meterline.billing.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code billing.periods.*}: closing completed periods (final, immutable aggregates) and catching up after downtime. */
public interface PeriodsConfig {

    /** Period sizes closed for every meter unless the meter overrides them: hour, day, week, month, year. */
    @WithDefault("hour,day,month")
    List<String> sizes();

    /** Per meter key: its own period sizes ({@code billing.periods.meters.<key>.sizes=day,week}). */
    Map<String, MeterPeriods> meters();

    /** Billing time zone of customers without their own. Day, week (Monday), month and year boundaries follow it. */
    @WithDefault("UTC")
    String zone();

    /** Per customer (subject): its billing time zone ({@code billing.periods.customer-zones.acme=Europe/Paris}). */
    Map<String, String> customerZones();

    /**
     * A period is complete, and closed, this long after its end: late events inside the grace still count in the
     * first close; later ones make a revision. Never more than {@code billing.aggregation.lookback}.
     */
    @WithDefault("PT1H")
    Duration grace();

    /** How often the catch-up job closes every complete period not closed yet; {@code off} disables it. */
    @WithDefault("5m")
    String catchUpEvery();

    /** How far back the job looks per size. */
    Lookbacks lookback();

    /**
     * Hourly windows written up to this long before a run started are looked at again by the next run: covers clock
     * skew between the instance writing windows and the one closing periods.
     */
    @WithDefault("PT2M")
    Duration changeSlack();

    /** Periods per insert batch (and per Kafka transaction). */
    @WithDefault("1000")
    int batchSize();

    /**
     * From this many series to read in one run, their hourly windows are read by one time-range query per meter
     * (sorted by hour, streamed, merged in memory) instead of one {@code _id} lookup per series.
     */
    @WithDefault("20")
    int rangeReadSeries();

    interface MeterPeriods {
        Optional<List<String>> sizes();
    }

    interface Lookbacks {
        @WithDefault("P7D")
        Duration hour();

        @WithDefault("P30D")
        Duration day();

        @WithDefault("P60D")
        Duration week();

        @WithDefault("P90D")
        Duration month();

        @WithDefault("P365D")
        Duration year();
    }
}
