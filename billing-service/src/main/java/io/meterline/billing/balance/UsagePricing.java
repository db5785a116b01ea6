package io.meterline.billing.balance;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The cost of a window for a prepaid customer: {@code value × unitPrice} in minor units, rounded half-up to a whole
 * minor unit once per window total (never per event, so rounding does not accumulate: a window is debited the
 * difference between the rounded cost of its new total and what was already debited for it).
 */
public final class UsagePricing {

    private UsagePricing() {
    }

    public static long cost(double value, BigDecimal unitPrice) {
        if (value <= 0 || unitPrice == null || unitPrice.signum() <= 0) {
            return 0;
        }
        return BigDecimal.valueOf(value).multiply(unitPrice).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
}
