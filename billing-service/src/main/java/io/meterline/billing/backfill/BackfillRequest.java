package io.meterline.billing.backfill;

/** {@code POST /admin/backfill/metered-items}: the meter (its Stripe price is used) or the price; dry-run by default. */
public record BackfillRequest(String meter, String price, Boolean dryRun) {
}
