package io.meterline.billing.config;

import io.smallrye.config.WithDefault;

/** {@code billing.meter-checks.*}: meters checked against their Stripe billing meters. */
public interface MeterCheckConfig {

    /** How often every meter is checked again (also at start-up, on every declaration and before every report run). */
    @WithDefault("PT10M")
    String every();
}
